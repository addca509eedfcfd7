/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of format/: the Go template engine, the report writer
   (table, json and plain --format), the tabwriter and the humanising
   helpers.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/humanize.h"
#include "format/report.h"
#include "format/tabwriter.h"
#include "format/template.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tcase
{
  const char *tmpl;
  const char *out; /* expected output, or NULL when err is expected */
  const char *err; /* expected error message */
};

/* Data the cases run against; their expected outputs were produced by Go
   1.19's text/template with the same data (integers as int, other
   numbers as float64) and the functions Podman registers.  */
static const char data_json[] =
  "{\"ID\":\"abc123\",\"Name\":\"web\",\"Size\":1000000,\"Ratio\":1.5,\"Big\":123456789.0,"
  "\"Small\":0.0001,\"Tiny\":0.00001,\"F\":1e21,\"G\":1e20,\"N\":null,\"T\":true,\"Fa\":false,"
  "\"Names\":[\"a\",\"b\",\"c\"],\"Empty\":[],\"EmptyMap\":{},\"Labels\":{\"b\":\"2\",\"a\":\"1\","
  "\"z\":\"<&>\"},\"Nums\":[1,2,3],\"Mixed\":[\"x\",1,2.5,null,true],"
  "\"Nested\":{\"A\":{\"B\":\"deep\"}},\"Str\":\"hello world\",\"Zero\":0,\"Neg\":-5,"
  "\"Html\":\"<a&b>\"}";

static json_t *
load_data (void)
{
  json_error_t je;
  json_t *d = json_loads (data_json, 0, &je);
  assert_non_null (d);
  return d;
}

/* Parse and run each case against the data; compare output or error.  */
static void
run_cases (const struct tcase *c, size_t n)
{
  cleanup_json json_t *data = load_data ();

  for (size_t i = 0; i < n; i++)
    {
      husk_error_t err = NULL;
      struct husk_buf out = HUSK_BUF_INIT;
      cleanup (husk_template_free) struct husk_template *t = husk_template_parse (c[i].tmpl, &err);

      if (t && husk_template_exec (t, data, &out, &err) == 0)
        {
          assert_non_null (c[i].out);
          assert_string_equal (out.data, c[i].out);
        }
      else
        {
          assert_non_null (err);
          assert_non_null (c[i].err);
          assert_string_equal (err->msg, c[i].err);
          husk_error_release (&err);
        }
      husk_buf_release (&out);
    }
}

/* ---- cases checked against Go ------------------------------------------------ */

static const struct tcase cases_text_and_fields[] = {
  { "plain text", "plain text", NULL },
  { "{{.ID}} {{.Name}}", "abc123 web", NULL },
  { "{{.Nested.A.B}} {{.Nested.A.X}} {{.Missing.Foo}}", "deep <no value> <no value>", NULL },
  { "{{.Missing}}|{{.N}}|{{$.Foo.Bar}}", "<no value>|<no value>|<no value>", NULL },
  { "{{.}}", "map[Big:1.23456789e+08 Empty:[] EmptyMap:map[] F:1e+21 Fa:false G:1e+20 Html:<a&b> ID:abc123 Labels:map[a:1 b:2 z:<&>] Mixed:[x 1 2.5 <nil> true] N:<nil> Name:web Names:[a b c] Neg:-5 Nested:map[A:map[B:deep]] Nums:[1 2 3] Ratio:1.5 Size:1000000 Small:0.0001 Str:hello world T:true Tiny:1e-05 Zero:0]", NULL },
  { "{{(.Nested.A).B}} {{(.Nested).A.B}}", "deep deep", NULL },
};

static const struct tcase cases_printing_values_as_go[] = {
  { "{{.Size}} {{.Neg}} {{.Zero}} {{.Ratio}} {{.Big}} {{.Small}} {{.Tiny}} {{.F}} {{.G}}", "1000000 -5 0 1.5 1.23456789e+08 0.0001 1e-05 1e+21 1e+20", NULL },
  { "{{.T}} {{.Fa}} {{.Names}} {{.Empty}} {{.EmptyMap}} {{.Labels}} {{.Mixed}} {{.Nested}}", "true false [a b c] [] map[] map[a:1 b:2 z:<&>] [x 1 2.5 <nil> true] map[A:map[B:deep]]", NULL },
  { "{{1.0}} {{1e3}} {{-0.5}} {{.5}} {{2.5e10}} {{1e21}} {{0.000001}} {{1e-7}} {{100.5}} {{123456789.0}}", "1 1000 -0.5 0.5 2.5e+10 1e+21 1e-06 1e-07 100.5 1.23456789e+08", NULL },
  { "{{.Html}}", "<a&b>", NULL },
};

static const struct tcase cases_trim_markers_and_comments[] = {
  { "a  {{- .ID -}}  b", "aabc123b", NULL },
  { "a {{- .ID}} b {{.ID -}} \n c", "aabc123 b abc123c", NULL },
  { "{{-3}} {{- 3}}", "-33", NULL },
  { "{{/* comment */}}x{{- /* c2 */ -}} y", "xy", NULL },
  { "a\n\n  {{- /* x */ -}}  \n\nb", "ab", NULL },
};

static const struct tcase cases_literals[] = {
  { "{{\"a\\tb\\n\\x41\\u00e9\\101\"}}|{{`raw\\n`}}|{{'a'}}|{{0x1F}}|{{1_000}}|{{0o17}}|{{0b101}}|{{017}}|{{+5}}", "a\tb\nA\303\251A|raw\\n|97|31|1000|15|5|15|5", NULL },
  { "{{\"\\u00e9\"}} {{\"\\U0001F600\"}} {{'\\n'}} {{'\\''}} {{\"\\\"\"}} {{'\\x41'}} {{'\303\251'}}", "\303\251 \360\237\230\200 10 39 \" 65 233", NULL },
  { "{{`a\"b`}} {{\"a`b\"}} {{true}} {{false}}", "a\"b a`b true false", NULL },
  { "{{0X1p-2}} {{0x1.8p1}} {{1E3}} {{-.5}}", "0.25 3 1000 -0.5", NULL },
};

static const struct tcase cases_variables[] = {
  { "{{$x := .ID}}{{$x}}{{$x = \"new\"}}{{$x}}", "abc123new", NULL },
  { "{{$a := 1}}{{if true}}{{$a := 2}}{{$a}}{{end}}{{$a}}", "21", NULL },
  { "{{$a := 1}}{{if true}}{{$a = 2}}{{end}}{{$a}}", "2", NULL },
  { "{{$x := 1}}{{range .Names}}{{$x = .}}{{end}}{{$x}}", "c", NULL },
  { "{{if $x := .ID}}{{$x}}{{end}}", "abc123", NULL },
  { "{{with $x := .Nested}}{{$x.A.B}}{{end}}", "deep", NULL },
  { "{{$}}", "map[Big:1.23456789e+08 Empty:[] EmptyMap:map[] F:1e+21 Fa:false G:1e+20 Html:<a&b> ID:abc123 Labels:map[a:1 b:2 z:<&>] Mixed:[x 1 2.5 <nil> true] N:<nil> Name:web Names:[a b c] Neg:-5 Nested:map[A:map[B:deep]] Nums:[1 2 3] Ratio:1.5 Size:1000000 Small:0.0001 Str:hello world T:true Tiny:1e-05 Zero:0]", NULL },
};

static const struct tcase cases_pipelines[] = {
  { "{{.ID | printf \"%s:%s\" \"x\"}}", "x:abc123", NULL },
  { "{{.ID | printf \"%s\" | printf \"[%s]\"}}", "[abc123]", NULL },
  { "{{printf \"%s\" .ID | len}}", "6", NULL },
  { "{{(printf \"%s-%s\" .ID .Name) | upper}}", "ABC123-WEB", NULL },
  { "{{.ID |}}", "abc123", NULL },
};

static const struct tcase cases_if_else[] = {
  { "{{if .Fa}}a{{else if .T}}b{{else}}c{{end}}", "b", NULL },
  { "{{if .Missing}}a{{else if .N}}b{{else}}c{{end}}", "c", NULL },
  { "{{if and .T .Names}}yes{{end}} {{if or .Fa .Empty}}yes{{else}}no{{end}}", "yes no", NULL },
  { "{{if not .Empty}}x{{end}}{{if .EmptyMap}}y{{end}}{{if .Zero}}z{{end}}{{if .Neg}}n{{end}}", "xn", NULL },
};

static const struct tcase cases_range[] = {
  { "{{range .Names}}{{.}},{{else}}none{{end}}", "a,b,c,", NULL },
  { "{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}", "0=a 1=b 2=c ", NULL },
  { "{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}", "a=1 b=2 z=<&> ", NULL },
  { "{{range $e := .Names}}{{$e}}{{end}}", "abc", NULL },
  { "{{range .Empty}}x{{else}}empty{{end}}|{{range .Missing}}x{{else}}missing{{end}}|{{range .N}}x{{else}}nil{{end}}", "empty|missing|nil", NULL },
  { "{{range .Names}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}|{{range .Names}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "ac|a", NULL },
  { "{{range $i, $v := .Labels}}{{if eq $i \"b\"}}{{break}}{{end}}{{$i}}{{end}}", "a", NULL },
  { "{{range .Nums}}{{.}}{{if gt . 1}}>{{end}}{{end}}", "12>3>", NULL },
  { "{{range .Str}}x{{end}}", NULL, "template: format:1:8: executing \"format\" at <.Str>: range can't iterate over hello world" },
};

static const struct tcase cases_with[] = {
  { "{{with .Missing}}x{{else}}no{{end}}|{{with .ID}}{{.}}{{end}}", "no|abc123", NULL },
  { "{{with .Nested.A}}{{.B}}{{$.ID}}{{end}}", "deepabc123", NULL },
  { "{{with .Labels}}{{.a}}{{.zz}}{{end}}", "1<no value>", NULL },
};

static const struct tcase cases_builtin_functions[] = {
  { "{{len .Names}} {{len .Labels}} {{len .Str}} {{len .Mixed}} {{len \"\"}}", "3 3 11 5 0", NULL },
  { "{{index .Names 1}} {{index .Labels \"a\"}} {{index .Labels \"zz\"}} {{index .Nested \"A\" \"B\"}} {{index .Str 1}}", "b 1 <no value> deep 101", NULL },
  { "{{slice .Names}} {{slice .Names 1 2}} {{slice .Names 0 1 2}} {{slice .Str 1 3}}", "[a b c] [b] [a] el", NULL },
  { "{{and 1 0 2}} {{or 0 \"\" \"x\"}} {{not .T}} {{and .Missing 1}} {{or .Missing 1}} {{not .N}}", "0 x false <no value> 1 true", NULL },
  { "{{html \"<a href='x'>&\\\"</a>\"}} {{urlquery \"a b&c=d/\303\251\"}} {{js \"a'b\\\"c<d>e&f=g\\\\h\\n\\x01\303\251\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt; a+b%26c%3Dd%2F%C3%A9 a\\'b\\\"c\\u003Cd\\u003Ee\\u0026f\\u003Dg\\\\h\\u000A\\u0001\303\251", NULL },
  { "{{len .Size}}", NULL, "template: format:1:2: executing \"format\" at <len .Size>: error calling len: len of type int" },
  { "{{len .N}}", NULL, "template: format:1:2: executing \"format\" at <len .N>: error calling len: len of nil pointer" },
  { "{{index .Names 5}}", NULL, "template: format:1:2: executing \"format\" at <index .Names 5>: error calling index: index out of range: 5" },
  /* Go: a byte cannot be indexed further (and husk leaked the byte).  */
  { "{{index .Str 1 0}}", NULL, "template: format:1:2: executing \"format\" at <index .Str 1 0>: error calling index: can't index item of type uint8" },
  { "{{index .Labels 1}}", NULL, "template: format:1:2: executing \"format\" at <index .Labels 1>: error calling index: value has type int; should be string" },
  { "{{index .Names \"a\"}}", NULL, "template: format:1:2: executing \"format\" at <index .Names \"a\">: error calling index: cannot index slice/array with type string" },
  { "{{index .Missing 1}}", NULL, "template: format:1:2: executing \"format\" at <index .Missing 1>: error calling index: index of untyped nil" },
  { "{{slice .Str 5 2}}", NULL, "template: format:1:2: executing \"format\" at <slice .Str 5 2>: error calling slice: invalid slice index: 5 > 2" },
};

static const struct tcase cases_comparisons[] = {
  { "{{eq .ID \"abc123\"}} {{eq .Size 1000000}} {{ne 1 2}} {{lt 1 2}} {{le \"a\" \"b\"}} {{gt 2.5 1.5}} {{ge 1 1}}", "true true true true true true true", NULL },
  { "{{eq .Ratio 1.5}} {{eq 1 2 3 1}} {{eq .T true}} {{ne .ID \"x\"}} {{lt \"a\" \"ab\"}} {{eq 'a' 97}}", "true true true true true true", NULL },
  { "{{eq .Missing \"x\"}} {{eq .N \"x\"}} {{eq .Missing .N}} {{ne .Missing nil}}", "false false true false", NULL },
  { "{{eq .Size 1.0}}", NULL, "template: format:1:2: executing \"format\" at <eq .Size 1.0>: error calling eq: incompatible types for comparison" },
  { "{{lt .Names 1}}", NULL, "template: format:1:2: executing \"format\" at <lt .Names 1>: error calling lt: invalid type for comparison" },
  { "{{lt true false}}", NULL, "template: format:1:2: executing \"format\" at <lt true false>: error calling lt: invalid type for comparison" },
  { "{{eq .Names .Names}}", NULL, "template: format:1:2: executing \"format\" at <eq .Names .Names>: error calling eq: non-comparable type [a b c]: []interface {}" },
  { "{{eq .ID}}", NULL, "template: format:1:2: executing \"format\" at <eq .ID>: error calling eq: missing argument for comparison" },
};

static const struct tcase cases_print_functions[] = {
  { "{{print .N .Missing 1 2 \"a\" \"b\" 3}}", "<nil> <nil> 1 2ab3", NULL },
  { "{{println 1 2 \"a\"}}", "1 2 a\n", NULL },
  { "{{print \"a\" 1 2 \"b\" nil 3.5 true}}", "a1 2b<nil> 3.5 true", NULL },
  { "{{print}}|{{println}}|{{print nil}}|{{print .Names .Labels}}", "|\n|<nil>|[a b c] map[a:1 b:2 z:<&>]", NULL },
};

static const struct tcase cases_printf_verbs[] = {
  { "{{printf \"%-8s|%8s|%5d|%-5d|%05d|%x|%X|%q|%t|%f|%.2f|%e|%g\" \"ab\" \"cd\" 42 42 42 255 \"hi\" \"q\\\"x\" true 1.5 3.14159 1e6 1e6}}", "ab      |      cd|   42|42   |00042|ff|6869|\"q\\\"x\"|true|1.500000|3.14|1.000000e+06|1e+06", NULL },
  { "{{printf \"%5.1f|%-8.3s|%8q|%x|% x|%#x|%+d|% d|%o|%b|%c|%U|%08.3f|%+.2e\" 3.14159 \"abcdef\" \"hi\" \"hello\" \"hello\" 255 5 5 8 5 65 65 3.14159 12345.678}}", "  3.1|abc     |    \"hi\"|68656c6c6f|68 65 6c 6c 6f|0xff|+5| 5|10|101|A|U+0041|0003.142|+1.23e+04", NULL },
  { "{{printf \"%05s|%-05d|%+.3e|%x|%#o|%c|%q|%#U|%08.3f|%+q|%#q\" \"ab\" 42 -1234.5 -255 8 0x1F600 97 0x1F600 -3.14159 \"\342\230\272\" \"a`b\"}}", "000ab|42   |-1.234e+03|-ff|010|\360\237\230\200|'a'|U+1F600 '\360\237\230\200'|-003.142|\"\\u263a\"|\"a`b\"", NULL },
  { "{{printf \"%-20s|%20s|\" \"left\" \"right\"}}", "left                |               right|", NULL },
  { "{{printf \"%-6s|%6s|\" \"h\303\251llo\" \"\346\227\245\346\234\254\"}}", "h\303\251llo |    \346\227\245\346\234\254|", NULL },
  { "{{printf \"%q|%+q|%#q\" \"\303\251\\x01\\n\" \"\303\251\" \"ab\"}}", "\"\303\251\\x01\\n\"|\"\\u00e9\"|`ab`", NULL },
  { "{{printf \"%v %v %v %v %v\" 1.0 100000.0 1000000.0 0.0001 0.00001}}", "1 100000 1e+06 0.0001 1e-05", NULL },
  { "{{printf \"%g %G %e %.3g %.10g\" 1e21 1e-7 0.0 123456.0 1.0}}", "1e+21 1E-07 0.000000e+00 1.23e+05 1", NULL },
  { "{{printf \"%6.2v|%.3v|%10.4g|%-10.2e|\" 3.14159 3.14159 2.0 12345.6789}}", "   3.1|3.14|         2|1.23e+04  |", NULL },
  { "{{printf \"%e %E %.0e %.0f %.1f %g\" 0.000123 123456.0 5.5 2.5 0.05 100000.0}}", "1.230000e-04 1.234560E+05 6e+00 2 0.1 100000", NULL },
  { "{{printf \"%08d|%-8d|%+08d|% 08d|%08x\" -42 -42 42 42 255}}", "-0000042|-42     |+0000042| 0000042|000000ff", NULL },
  { "{{printf \"%.2s|%.0d|%.0d|%5.0d|\" \"\346\227\245\346\234\254\350\252\236\" 0 5 0}}", "\346\227\245\346\234\254||5|     |", NULL },
  { "{{printf \"%3c|%-4q|%#x|%#X|% x\" 65 66 \"hi\" \"hi\" \"hi\"}}", "  A|'B' |0x6869|0X6869|68 69", NULL },
  { "{{printf \"%b %o %O %x %X\" 5 8 8 3.5 1.0}}", "101 10 0o10 0x1.cp+01 0X1P+00", NULL },
  { "{{printf \"%*d|%-*d|%.*f\" 5 1 4 2 2 3.14159}}", "    1|2   |3.14", NULL },
  { "{{printf \"%[2]d %[1]d\" 1 2}} {{printf \"%[1]d %[1]x %[3]v\" 10 20}}", "2 1 10 a %!v(BADINDEX)", NULL },
  { "{{printf \"%6.2f%%\" 12.3456}}", " 12.35%", NULL },
};

static const struct tcase cases_printf_values[] = {
  { "{{printf \"%v|%s|%d\" .Mixed .Mixed .Mixed}}", "[x 1 2.5 <nil> true]|[x %!s(int=1) %!s(float64=2.5) <nil> %!s(bool=true)]|[%!d(string=x) 1 %!d(float64=2.5) <nil> %!d(bool=true)]", NULL },
  { "{{printf \"%v %v\" .N .Missing}}", "<nil> <nil>", NULL },
  { "{{printf \"%5v|%-5v|%5v\" .Names 1 .Labels}}", "[    a     b     c]|1    |map[    a:    1     b:    2     z:  <&>]", NULL },
  { "{{printf \"%x %X %x\" .Names 3.5 -1}}", "[61 62 63] 0X1.CP+01 -1", NULL },
  { "{{printf \"%#v|%#v|%#v|%#v|%#v\" .Names .Labels 1.0 \"s\" .Mixed}}", "[]interface {}{\"a\", \"b\", \"c\"}|map[string]interface {}{\"a\":\"1\", \"b\":\"2\", \"z\":\"<&>\"}|1|\"s\"|[]interface {}{\"x\", 1, 2.5, interface {}(nil), true}", NULL },
  { "{{printf \"%+v|%T\" .Labels .Names}}", "map[a:1 b:2 z:<&>]|[]interface {}", NULL },
  { "{{printf \"%T %T %T %T %T %T\" 1 1.5 \"s\" true .Names nil}}", "int float64 string bool []interface {} <nil>", NULL },
  { "{{printf \"%s\" .Labels}} {{printf \"%q\" .Names}}", "map[a:1 b:2 z:<&>] [\"a\" \"b\" \"c\"]", NULL },
};

static const struct tcase cases_printf_errors_inline[] = {
  { "{{printf \"%d %s\" \"x\" 5}}", "%!d(string=x) %!s(int=5)", NULL },
  { "{{printf \"%d\"}}|{{printf \"%d\" 1 2}}|{{printf \"%z\" 1}}|{{printf \"%\"}}", "%!d(MISSING)|1%!(EXTRA int=2)|%!z(int=1)|%!(NOVERB)", NULL },
  { "{{printf \"%s|%v|%d|%t\" .N .N .N .N}}", "%!s(<nil>)|<nil>|%!d(<nil>)|%!t(<nil>)", NULL },
  { "{{printf \"%[5]d\" 1}}", "%!d(BADINDEX)", NULL },
  { "{{printf \"%*d\" \"x\" 5}}", "%!(BADWIDTH)5", NULL },
  { "{{printf \"%!%5%%%d\" 1}}", "%!!(int=1)%%d", NULL },
};

static const struct tcase cases_podman_functions[] = {
  { "{{join .Names \", \"}} {{join .Empty \",\"}} {{join (split \"a-b-c\" \"-\") \"+\"}}", "a, b, c  a+b+c", NULL },
  { "{{split \"a,b,,c\" \",\"}} {{len (split \"\" \",\")}} {{split \"abc\" \"\"}}", "[a b  c] 1 [a b c]", NULL },
  { "{{title \"hello wORLD foo_bar x-y 9ab\"}} {{lower \"ABC\"}} {{upper \"abc\"}}", "Hello WORLD Foo_bar X-Y 9ab abc ABC", NULL },
  { "{{upper \"h\303\251llo w\303\266rld\"}} {{lower \"\303\200\303\211\303\216\"}} {{title \"\303\251lan vital \303\261u\"}}", "H\303\211LLO W\303\226RLD \303\240\303\251\303\256 \303\211lan Vital \303\221u", NULL },
  { "{{truncate .ID 3}} {{truncate .ID 100}} {{truncate .ID 0}} {{truncate .ID 1e1}}", "abc abc123  abc123", NULL },
  { "{{pad \"x\" 2 3}}|{{pad \"\" 2 3}}|{{pad .ID 0 0}}|", "  x   ||abc123|", NULL },
  { "{{json .Mixed}} {{json .Missing}} {{json \"a\\u2028b\\x01\\t\\\"\\\\\"}} {{json 1.0}} {{json 1e-7}}", "[\"x\",1,2.5,null,true] null \"a\\u2028b\\u0001\\t\\\"\\\\\" 1 1e-7", NULL },
  { "{{json .Names}} {{json .Nested}} {{json 1}} {{json \"\303\251<>&\"}} {{json .Ratio}} {{json true}} {{json .Html}}", "[\"a\",\"b\",\"c\"] {\"A\":{\"B\":\"deep\"}} 1 \"\303\251<>&\" 1.5 true \"<a&b>\"", NULL },
  { "{{json .Big}} {{json .F}} {{json .Tiny}} {{json .Small}} {{json .G}}", "123456789 1e+21 0.00001 0.0001 100000000000000000000", NULL },
};

static const struct tcase cases_function_argument_errors[] = {
  { "{{upper .Size}}", NULL, "template: format:1:8: executing \"format\" at <.Size>: wrong type for value; expected string; got int" },
  { "{{upper .N}}", NULL, "template: format:1:8: executing \"format\" at <.N>: wrong type for value; expected string; got interface {}" },
  { "{{upper .Missing}}", NULL, "template: format:1:8: executing \"format\" at <.Missing>: invalid value; expected string" },
  { "{{upper 3}}", NULL, "template: format:1:8: executing \"format\" at <3>: expected string; found 3" },
  { "{{upper nil}}", NULL, "template: format:1:8: executing \"format\" at <nil>: cannot assign nil to string" },
  { "{{upper}}", NULL, "template: format:1:2: executing \"format\" at <upper>: wrong number of args for upper: want 1 got 0" },
  { "{{upper \"a\" \"b\"}}", NULL, "template: format:1:2: executing \"format\" at <upper>: wrong number of args for upper: want 1 got 2" },
  { "{{truncate .ID \"3\"}}", NULL, "template: format:1:15: executing \"format\" at <\"3\">: expected integer; found \"3\"" },
  { "{{truncate .ID 1.5}}", NULL, "template: format:1:15: executing \"format\" at <1.5>: expected integer; found 1.5" },
  { "{{and}}", NULL, "template: format:1:2: executing \"format\" at <and>: wrong number of args for and: want at least 1 got 0" },
  { "{{not}}", NULL, "template: format:1:2: executing \"format\" at <not>: wrong number of args for not: want 1 got 0" },
};

static const struct tcase cases_exec_errors[] = {
  { "{{.N.Foo}}", NULL, "template: format:1:4: executing \"format\" at <.N.Foo>: nil pointer evaluating interface {}.Foo" },
  { "{{.Str.Foo}}", NULL, "template: format:1:6: executing \"format\" at <.Str.Foo>: can't evaluate field Foo in type interface {}" },
  { "{{.Size.Foo}}", NULL, "template: format:1:7: executing \"format\" at <.Size.Foo>: can't evaluate field Foo in type interface {}" },
  { "{{.Names.Foo}}", NULL, "template: format:1:8: executing \"format\" at <.Names.Foo>: can't evaluate field Foo in type interface {}" },
  { "{{with .Str}}{{.Foo}}{{end}}", NULL, "template: format:1:15: executing \"format\" at <.Foo>: can't evaluate field Foo in type string" },
  { "{{range .Names}}{{.Foo}}{{end}}", NULL, "template: format:1:18: executing \"format\" at <.Foo>: can't evaluate field Foo in type interface {}" },
  { "{{$x := 1}}{{$x.Foo}}", NULL, "template: format:1:15: executing \"format\" at <$x.Foo>: can't evaluate field Foo in type int" },
  { "{{(1).Foo}}", NULL, "template: format:1:3: executing \"format\" at <1>: can't evaluate field Foo in type int" },
  { "{{.ID | .Name}}", NULL, "template: format:1:8: executing \"format\" at <.Name>: Name is not a method but has arguments" },
  { "{{.ID \"x\"}}", NULL, "template: format:1:2: executing \"format\" at <.ID>: ID is not a method but has arguments" },
  { "{{$x := 1}}{{$x \"y\"}}", NULL, "template: format:1:13: executing \"format\" at <$x>: can't give argument to non-function $x" },
  { "{{\"x\" \"y\"}}", NULL, "template: format:1:2: executing \"format\" at <\"x\">: can't give argument to non-function \"x\"" },
  { "{{$x = 1}}", NULL, "template: format:1:7: executing \"format\" at <1>: undefined variable: $x" },
  { "{{nil}}", NULL, "template: format:1:2: executing \"format\" at <nil>: nil is not a command" },
  { "{{9223372036854775808}}", NULL, "template: format:1:2: executing \"format\" at <9223372036854775808>: 9223372036854775808 overflows int" },
  { "{{range .Size}}x{{end}}", NULL, "template: format:1:8: executing \"format\" at <.Size>: range can't iterate over 1000000" },
  { "a\n{{.ID}}\n{{.Bogus.X}}\n{{.Str.X}}", NULL, "template: format:4:6: executing \"format\" at <.Str.X>: can't evaluate field X in type interface {}" },
};

static const struct tcase cases_parse_errors[] = {
  { "{{foo .}}", NULL, "template: format:1: function \"foo\" not defined" },
  { "{{.ID | foo}}", NULL, "template: format:1: function \"foo\" not defined" },
  { "{{if}}", NULL, "template: format:1: missing value for if" },
  { "{{end}}", NULL, "template: format:1: unexpected {{end}}" },
  { "{{if .T}}x", NULL, "template: format:1: unexpected EOF" },
  { "{{\"unterminated}}", NULL, "template: format:1: unterminated quoted string" },
  { "{{.ID", NULL, "template: format:1: unclosed action" },
  { "{{if 1}}x{{end}}\n{{.ID", NULL, "template: format:2: unclosed action" },
  { "{{/* unclosed }}", NULL, "template: format:1: unclosed comment" },
  { "{{/*x*/ .ID}}", NULL, "template: format:1: comment ends before closing delimiter" },
  { "{{.ID | \"x\"}}", NULL, "template: format:1: non executable command in pipeline stage 2" },
  { "{{$y}}", NULL, "template: format:1: undefined variable \"$y\"" },
  { "{{range .Names}}{{$z := .}}{{end}}{{$z}}", NULL, "template: format:1: undefined variable \"$z\"" },
  { "{{break}}", NULL, "template: format:1: {{break}} outside {{range}}" },
  { "{{range .Names}}{{break 1}}{{end}}", NULL, "template: format:1: unexpected \"1\" in {{break}}" },
  { "{{| .ID}}", NULL, "template: format:1: unexpected \"|\" in command" },
  { "{{(.ID}}", NULL, "template: format:1: unclosed left paren" },
  { "{{.ID)}}", NULL, "template: format:1: unexpected \")\" in command" },
  { "{{#}}", NULL, "template: format:1: unexpected \"#\" in command" },
  { "{{.ID #}}", NULL, "template: format:1: unexpected \"#\" in operand" },
  { "{{range $i, $e, $f := .Names}}{{end}}", NULL, "template: format:1: too many declarations in range" },
  { "{{$a, $b := .Names}}", NULL, "template: format:1: too many declarations in command" },
  { "{{range .Names}}{{else if .X}}{{end}}", NULL, "template: format:1: unexpected <if> in input" },
  { "{{if .T}}{{else}}{{else}}{{end}}", NULL, "template: format:1: expected end; found {{else}}" },
  { "{{else}}", NULL, "template: format:1: unexpected {{else}}" },
  { "{{.A.}}", NULL, "template: format:1: unexpected <.> in operand" },
  { "{{3x}}", NULL, "template: format:1: bad number syntax: \"3x\"" },
  { "{{1e400}}", NULL, "template: format:1: illegal number syntax: \"1e400\"" },
  { "{{0x}}", NULL, "template: format:1: illegal number syntax: \"0x\"" },
  { "{{'ab'}}", NULL, "template: format:1: malformed character constant: 'ab'" },
  { "{{\"\\q\"}}", NULL, "template: format:1: invalid syntax" },
  { "{{.A!}}", NULL, "template: format:1: bad character U+0021 '!'" },
  { "{{-.ID}}", NULL, "template: format:1: bad number syntax: \"-.I\"" },
  { "{{.ID := 1}}", NULL, "template: format:1: unexpected \":=\" in operand" },
  { "{{$x := }}", NULL, "template: format:1: missing value for command" },
  { "{{1.5.Foo}}", NULL, "template: format:1: unexpected . after term \"1.5\"" },
  { "{{.Names.0}}", NULL, "template: format:1: unexpected \".0\" in operand" },
  { "{{1_}}", NULL, "template: format:1: illegal number syntax: \"1_\"" },
};


static void
text_and_fields_match_go (void **state)
{
  (void) state;
  run_cases (cases_text_and_fields, sizeof cases_text_and_fields / sizeof cases_text_and_fields[0]);
}

static void
printing_values_as_go_match_go (void **state)
{
  (void) state;
  run_cases (cases_printing_values_as_go, sizeof cases_printing_values_as_go / sizeof cases_printing_values_as_go[0]);
}

static void
trim_markers_and_comments_match_go (void **state)
{
  (void) state;
  run_cases (cases_trim_markers_and_comments, sizeof cases_trim_markers_and_comments / sizeof cases_trim_markers_and_comments[0]);
}

static void
literals_match_go (void **state)
{
  (void) state;
  run_cases (cases_literals, sizeof cases_literals / sizeof cases_literals[0]);
}

static void
variables_match_go (void **state)
{
  (void) state;
  run_cases (cases_variables, sizeof cases_variables / sizeof cases_variables[0]);
}

static void
pipelines_match_go (void **state)
{
  (void) state;
  run_cases (cases_pipelines, sizeof cases_pipelines / sizeof cases_pipelines[0]);
}

static void
if_else_match_go (void **state)
{
  (void) state;
  run_cases (cases_if_else, sizeof cases_if_else / sizeof cases_if_else[0]);
}

static void
range_match_go (void **state)
{
  (void) state;
  run_cases (cases_range, sizeof cases_range / sizeof cases_range[0]);
}

static void
with_match_go (void **state)
{
  (void) state;
  run_cases (cases_with, sizeof cases_with / sizeof cases_with[0]);
}

static void
builtin_functions_match_go (void **state)
{
  (void) state;
  run_cases (cases_builtin_functions, sizeof cases_builtin_functions / sizeof cases_builtin_functions[0]);
}

static void
comparisons_match_go (void **state)
{
  (void) state;
  run_cases (cases_comparisons, sizeof cases_comparisons / sizeof cases_comparisons[0]);
}

static void
print_functions_match_go (void **state)
{
  (void) state;
  run_cases (cases_print_functions, sizeof cases_print_functions / sizeof cases_print_functions[0]);
}

static void
printf_verbs_match_go (void **state)
{
  (void) state;
  run_cases (cases_printf_verbs, sizeof cases_printf_verbs / sizeof cases_printf_verbs[0]);
}

static void
printf_values_match_go (void **state)
{
  (void) state;
  run_cases (cases_printf_values, sizeof cases_printf_values / sizeof cases_printf_values[0]);
}

static void
printf_errors_inline_match_go (void **state)
{
  (void) state;
  run_cases (cases_printf_errors_inline, sizeof cases_printf_errors_inline / sizeof cases_printf_errors_inline[0]);
}

static void
podman_functions_match_go (void **state)
{
  (void) state;
  run_cases (cases_podman_functions, sizeof cases_podman_functions / sizeof cases_podman_functions[0]);
}

static void
function_argument_errors_match_go (void **state)
{
  (void) state;
  run_cases (cases_function_argument_errors, sizeof cases_function_argument_errors / sizeof cases_function_argument_errors[0]);
}

static void
exec_errors_match_go (void **state)
{
  (void) state;
  run_cases (cases_exec_errors, sizeof cases_exec_errors / sizeof cases_exec_errors[0]);
}

static void
parse_errors_match_go (void **state)
{
  (void) state;
  run_cases (cases_parse_errors, sizeof cases_parse_errors / sizeof cases_parse_errors[0]);
}

/* ---- strict fields and headers ------------------------------------------------ */

static void
strict_mode_rejects_unknown_field_of_item (void **state)
{
  cleanup_json json_t *items = json_pack ("[{s:s, s:{}}]", "ID", "a", "Labels");
  struct husk_template_exec_options o = { .strict = true, .type_name = "images.imageReporter" };
  cleanup (husk_template_free) struct husk_template *t
      = husk_template_parse ("{{range .}}{{.Bogus}}{{end}}", NULL);
  struct husk_buf out = HUSK_BUF_INIT;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_template_exec_full (t, items, &o, &out, &err), -1);
  assert_string_equal (err->msg, "template: format:1:13: executing \"format\" at <.Bogus>: "
                                 "can't evaluate field Bogus in type images.imageReporter");
  husk_error_release (&err);
  husk_buf_release (&out);
}

static void
strict_mode_keeps_nested_objects_as_maps (void **state)
{
  cleanup_json json_t *item = json_pack ("{s:s, s:{s:s}}", "ID", "a", "Labels", "k", "v");
  struct husk_template_exec_options o = { .strict = true };
  cleanup (husk_template_free) struct husk_template *t
      = husk_template_parse ("{{.ID}} {{.Labels.k}} {{.Labels.nope}}", NULL);
  struct husk_buf out = HUSK_BUF_INIT;

  (void) state;
  assert_int_equal (husk_template_exec_full (t, item, &o, &out, NULL), 0);
  assert_string_equal (out.data, "a v <no value>");
  husk_buf_release (&out);
}

static void
header_names_split_camel_case (void **state)
{
  cleanup_json json_t *over = json_pack ("{s:s}", "ID", "image id");
  const char *cases[][2] = {
    { "CreatedAt", "CREATED AT" }, { "ID", "ID" },         { "ImageID", "IMAGE ID" },
    { "PDFLoader", "PDF LOADER" }, { "Names", "NAMES" },   { "Fieldb", "FIELDB" },
    { "GL11Version", "GL 11 VERSION" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *h = husk_template_header (NULL, cases[i][0]);
      assert_string_equal (h, cases[i][1]);
    }
  {
    cleanup_free char *h = husk_template_header (over, "ID");
    assert_string_equal (h, "IMAGE ID");
  }
}

static void
header_mode_renders_field_headers (void **state)
{
  cleanup_json json_t *over = json_pack ("{s:s}", "ID", "IMAGE ID");
  cleanup_json json_t *dot = json_object ();
  struct husk_template_exec_options o = { .header_mode = true, .headers = over };
  cleanup (husk_template_free) struct husk_template *t = husk_template_parse (
      "{{.ID}}|{{.CreatedAt}}|{{.Labels.app}}|{{join .Names \",\"}}|{{range .Mounts}}{{.Source}}{{end}}",
      NULL);
  struct husk_buf out = HUSK_BUF_INIT;

  (void) state;
  assert_int_equal (husk_template_exec_full (t, dot, &o, &out, NULL), 0);
  assert_string_equal (out.data, "IMAGE ID|CREATED AT|APP|NAMES|SOURCE");
  husk_buf_release (&out);
}

/* Found by fuzz-template: a failed pipeline in header mode left range's
   declared variables undeclared, and range wrote past the variables.  */
static void
header_mode_declares_range_variables_of_a_failed_pipeline (void **state)
{
  cleanup_json json_t *dot = json_object ();
  struct husk_template_exec_options o = { .header_mode = true };
  cleanup (husk_template_free) struct husk_template *t = husk_template_parse (
      "{{range $i, $e := pad.Names}}[{{$i}}={{$e}}]{{end}}|{{with $x := pad.F}}{{$x}}{{end}}",
      NULL);
  struct husk_buf out = HUSK_BUF_INIT;

  (void) state;
  assert_non_null (t);
  assert_int_equal (husk_template_exec_full (t, dot, &o, &out, NULL), 0);
  assert_string_equal (out.data, "[0=NAMES]|F");
  husk_buf_release (&out);
}

static void
output_limit_stops_execution (void **state)
{
  struct husk_template_exec_options o = { .max_output = 100 };
  cleanup (husk_template_free) struct husk_template *t
      = husk_template_parse ("{{printf \"%999999d\" 1}}", NULL);
  struct husk_buf out = HUSK_BUF_INIT;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_template_exec_full (t, NULL, &o, &out, &err), -1);
  assert_string_equal (err->msg, "template: format: output exceeds 100 bytes");
  husk_error_release (&err);
  husk_buf_release (&out);
}

static void
step_limit_stops_nested_ranges (void **state)
{
  cleanup_json json_t *d = json_pack ("{s:[i,i,i,i,i,i,i,i,i,i]}", "L", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  struct husk_template_exec_options o = { .max_steps = 1000 };
  cleanup (husk_template_free) struct husk_template *t = husk_template_parse (
      "{{range $.L}}{{range $.L}}{{range $.L}}{{range $.L}}{{end}}{{end}}{{end}}{{end}}", NULL);
  struct husk_buf out = HUSK_BUF_INIT;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_template_exec_full (t, d, &o, &out, &err), -1);
  assert_string_equal (err->msg, "template: format: execution exceeds 1000 steps");
  husk_error_release (&err);
  husk_buf_release (&out);
}

static void
deep_nesting_is_a_parse_error (void **state)
{
  struct husk_buf src = HUSK_BUF_INIT;
  husk_error_t err = NULL;
  struct husk_template *t;

  (void) state;
  husk_buf_puts (&src, "{{");
  for (int i = 0; i < 5000; i++)
    husk_buf_putc (&src, '(');
  t = husk_template_parse (src.data, &err);
  assert_null (t);
  assert_string_equal (err->msg, "template: format:1: max expression depth exceeded");
  husk_error_release (&err);
  husk_buf_release (&src);
}

static void
unsupported_define_is_a_parse_error (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_template_parse ("{{define \"x\"}}{{end}}", &err));
  assert_string_equal (err->msg, "template: format:1: {{define}} is not supported");
  husk_error_release (&err);
}

static void
named_template_names_itself_in_errors (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_template_parse_named ("ps", "{{foo}}", 7, &err));
  assert_string_equal (err->msg, "template: ps:1: function \"foo\" not defined");
  husk_error_release (&err);
}

/* ---- reports ---------------------------------------------------------------- */

static json_t *
two_images (void)
{
  return json_pack ("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "ID", "1234567890ab", "Repository",
                    "docker.io/library/busybox", "Tag", "latest", "ID", "ff00", "Repository",
                    "localhost/x", "Tag", "v1");
}

/* Run a report over the items; returns the output or the error message.  */
static char *
report (const char *format, const struct husk_report_options *o, json_t *items)
{
  husk_error_t err = NULL;
  cleanup (husk_report_free) struct husk_report *r = husk_report_new (format, o, &err);
  struct husk_buf out = HUSK_BUF_INIT;
  char *msg;

  if (r == NULL)
    goto fail;
  for (size_t i = 0; i < json_array_size (items); i++)
    husk_report_add (r, json_array_get (items, i));
  if (husk_report_render (r, &out, &err) < 0)
    goto fail;
  return husk_buf_steal (&out);
fail:
  msg = husk_xstrdup (err->msg);
  husk_error_release (&err);
  return msg;
}

static void
report_table_aligns_header_and_rows (void **state)
{
  cleanup_json json_t *items = two_images ();
  cleanup_json json_t *hdr = json_pack ("{s:s}", "ID", "IMAGE ID");
  struct husk_report_options o = { .headers = hdr };
  cleanup_free char *s = report ("table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}", &o, items);

  (void) state;
  assert_string_equal (s, "IMAGE ID      REPOSITORY                 TAG\n"
                          "1234567890ab  docker.io/library/busybox  latest\n"
                          "ff00          localhost/x                v1\n");
}

static void
report_table_spaces_separate_columns (void **state)
{
  cleanup_json json_t *items = two_images ();
  cleanup_free char *s = report ("table {{.Tag}} {{.ID}}", NULL, items);

  (void) state;
  assert_string_equal (s, "TAG         ID\nlatest      1234567890ab\nv1          ff00\n");
}

static void
report_table_without_heading (void **state)
{
  cleanup_json json_t *items = two_images ();
  struct husk_report_options o = { .no_heading = true };
  cleanup_free char *s = report ("table {{.Tag}}\t{{.ID}}", &o, items);

  (void) state;
  assert_string_equal (s, "latest      1234567890ab\nv1          ff00\n");
}

static void
report_table_of_nothing_prints_header (void **state)
{
  cleanup_json json_t *items = json_array ();
  cleanup_free char *s = report ("table {{.ID}}\t{{.CreatedAt}}", NULL, items);

  (void) state;
  assert_string_equal (s, "ID          CREATED AT\n");
}

static void
report_default_format_for_empty_and_table (void **state)
{
  cleanup_json json_t *items = two_images ();
  struct husk_report_options o = { .default_format = "table {{.Tag}}" };
  cleanup_free char *a = report (NULL, &o, items);
  cleanup_free char *b = report ("table", &o, items);

  (void) state;
  assert_string_equal (a, "TAG\nlatest\nv1\n");
  assert_string_equal (b, "TAG\nlatest\nv1\n");
}

static void
report_plain_template_adds_newline_per_item (void **state)
{
  cleanup_json json_t *items = two_images ();
  cleanup_free char *a = report ("{{.Tag}}", NULL, items);
  cleanup_free char *b = report ("{{.Tag}}\\t{{.ID}}", NULL, items);
  cleanup_free char *c = report ("{{.Tag}}\n", NULL, items);

  (void) state;
  assert_string_equal (a, "latest\nv1\n");
  assert_string_equal (b, "latest\t1234567890ab\nv1\tff00\n");
  assert_string_equal (c, "latest\nv1\n");
}

static void
report_template_with_own_range_runs_once (void **state)
{
  cleanup_json json_t *items = two_images ();
  cleanup_free char *s = report ("{{range .}}{{.Tag}},{{end}}", NULL, items);

  (void) state;
  assert_string_equal (s, "latest,v1,\n");
}

static void
report_falls_back_to_unescaped_text (void **state)
{
  cleanup_json json_t *items = two_images ();
  cleanup_free char *s = report ("{{printf \"\\n\"}}", NULL, items);

  (void) state;
  assert_string_equal (s, "\n\n");
}

static void
report_json_is_an_indented_array (void **state)
{
  cleanup_json json_t *items = json_pack ("[{s:s, s:[i], s:{}}]", "Id", "<a>", "L", 1, "M");
  cleanup_json json_t *none = json_array ();
  struct husk_report_options html = { .json_escape_html = true };
  cleanup_free char *a = report ("json", NULL, items);
  cleanup_free char *b = report ("json", &html, items);
  cleanup_free char *c = report (" {{ json. }} ", NULL, none);

  (void) state;
  assert_string_equal (a, "[\n    {\n        \"Id\": \"<a>\",\n        \"L\": [\n            1\n"
                          "        ],\n        \"M\": {}\n    }\n]\n");
  assert_string_equal (b, "[\n    {\n        \"Id\": \"\\u003ca\\u003e\",\n        \"L\": [\n"
                          "            1\n        ],\n        \"M\": {}\n    }\n]\n");
  assert_string_equal (c, "[]\n");
}

static void
report_json_detection_matches_podman (void **state)
{
  const char *yes[] = { "json", " json", "  json   ", "{{json}}", "{{json }}", "{{json.}}",
                        "{{ json. }}" };
  const char *no[] = { "{{ json .}}", "{{ json . }}", "  {{   json   .  }}  ", "{{ json .",
                       "json . }}", "{{.ID }} json .", "json ." };

  (void) state;
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    assert_true (husk_report_is_json (yes[i]));
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    assert_false (husk_report_is_json (no[i]));
}

static void
report_json_template_prints_one_object_per_line (void **state)
{
  cleanup_json json_t *items = json_pack ("[{s:i}, {s:i}]", "A", 1, "A", 2);
  cleanup_free char *s = report ("{{json .}}", NULL, items);

  (void) state;
  assert_string_equal (s, "{\"A\":1}\n{\"A\":2}\n");
}

static void
report_unknown_field_fails_in_strict_mode (void **state)
{
  cleanup_json json_t *items = two_images ();
  struct husk_report_options o = { .name = "images", .strict = true,
                                   .type_name = "images.imageReporter" };
  cleanup_free char *s = report ("{{.Bogus}}", &o, items);
  cleanup_free char *t = report ("table {{.ID}} {{.Bogus}}", &o, items);

  (void) state;
  assert_string_equal (s, "template: images:1:13: executing \"images\" at <.Bogus>: can't "
                          "evaluate field Bogus in type images.imageReporter");
  assert_string_equal (t, "template: images:1:21: executing \"images\" at <.Bogus>: can't "
                          "evaluate field Bogus in type images.imageReporter");
}

static void
report_parse_error_is_reported_at_creation (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_report_new ("{{.ID | nosuch}}", NULL, &err));
  assert_string_equal (err->msg, "template: format:1: function \"nosuch\" not defined");
  husk_error_release (&err);
}

/* ---- tabwriter ---------------------------------------------------------------- */

static char *
tabwrite (const char *s)
{
  cleanup (husk_tabwriter_free) struct husk_tabwriter *tw
      = husk_tabwriter_new (12, 2, 2, ' ', HUSK_TABWRITER_STRIP_ESCAPE);
  struct husk_buf out = HUSK_BUF_INIT;

  husk_tabwriter_write (tw, s, strlen (s));
  husk_tabwriter_flush (tw, &out);
  return husk_buf_steal (&out);
}

static void
tabwriter_matches_go (void **state)
{
  /* Outputs of Go's tabwriter.NewWriter (w, 12, 2, 2, ' ', StripEscape).  */
  const char *cases[][2] = {
    { "a\tb\tc", "a           b           c" },
    { "a\tb\t\n", "a           b           \n" },
    { "\t\n\tx\n", "            \n            x\n" },
    { "aaaaaaaaaaaaaaaaaaaa\tb\nsingle\ncc\td\n", "aaaaaaaaaaaaaaaaaaaa  b\nsingle\ncc          d\n" },
    { "a\tb\nlong cell here!!\tc\td\ne\tf\tg\th\n",
      "a                 b\nlong cell here!!  c           d\ne                 f           g           h\n" },
    { "h\xc3\xa9llo\t\xe6\x97\xa5\xe6\x9c\xac\nx\ty\n",
      "h\xc3\xa9llo       \xe6\x97\xa5\xe6\x9c\xac\nx           y\n" },
    { "a\xff\tb\xff\tc\nd\te\n", "a\tb         c\nd           e\n" },
    { "a\fb\tc\nd\te\n", "a\nb           c\nd           e\n" },
    { "\t\t\t", "                        " },
    { "", "" },
    { "x", "x" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *s = tabwrite (cases[i][0]);
      assert_string_equal (s, cases[i][1]);
    }
}

/* ---- humanize ------------------------------------------------------------------ */

static void
human_size_uses_three_digits_and_decimal_units (void **state)
{
  const struct
  {
    int64_t n;
    const char *s;
  } cases[] = {
    { 0, "0 B" },          { 100, "100 B" },        { 999, "999 B" },
    { 1000, "1 kB" },      { 1024, "1.02 kB" },     { 1200, "1.2 kB" },
    { 4260000, "4.26 MB" }, { 1048576, "1.05 MB" }, { 999900, "1e+03 kB" },
    { 1000000000, "1 GB" }, { 3420000000LL, "3.42 GB" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *s = husk_human_size (cases[i].n);
      assert_string_equal (s, cases[i].s);
    }
}

static void
human_duration_follows_go_units (void **state)
{
  const int64_t m = 60, h = 3600, d = 86400, w = 7 * 86400, mo = 30 * 86400, y = 365 * 86400;
  const struct
  {
    int64_t n;
    const char *s;
  } cases[] = {
    { 0, "Less than a second" }, { -5, "Less than a second" }, { 1, "1 second" },
    { 59, "59 seconds" },        { 60, "About a minute" },      { 3 * m, "3 minutes" },
    { 35 * m + 40, "35 minutes" }, { h, "About an hour" },      { h + 29 * m, "About an hour" },
    { h + 31 * m, "2 hours" },   { 3 * h + 60 * m, "4 hours" }, { d, "24 hours" },
    { d + 12 * h, "36 hours" },  { 2 * d, "2 days" },          { 13 * d + 5 * h, "13 days" },
    { 2 * w, "2 weeks" },        { mo, "4 weeks" },            { mo + 2 * w, "6 weeks" },
    { 2 * mo, "2 months" },      { 24 * mo, "24 months" },      { 24 * mo + 2 * w, "2 years" },
    { 3 * y + 2 * mo, "3 years" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *s = husk_human_duration (cases[i].n);
      assert_string_equal (s, cases[i].s);
    }
  {
    cleanup_free char *s = husk_human_duration_ago (5);
    assert_string_equal (s, "5 seconds ago");
  }
}

static void
time_formats_match_go (void **state)
{
  cleanup_free char *a = husk_time_rfc3339nano (1700000000, 123450000);
  cleanup_free char *b = husk_time_go_string (1700000000, 123450000, true);
  cleanup_free char *c = husk_time_rfc3339nano (0, 0);
  cleanup_free char *d = husk_time_go_string (0, 0, true);
  cleanup_free char *e = NULL;
  cleanup_free char *f = NULL;
  cleanup_free char *g = NULL;

  (void) state;
  assert_string_equal (a, "2023-11-14T22:13:20.12345Z");
  assert_string_equal (b, "2023-11-14 22:13:20.12345 +0000 UTC");
  assert_string_equal (c, "1970-01-01T00:00:00Z");
  assert_string_equal (d, "1970-01-01 00:00:00 +0000 UTC");
  setenv ("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset ();
  e = husk_time_rfc3339nano_local (1700000000, 123450000);
  f = husk_time_go_string (1700000000, 123450000, false);
  assert_string_equal (e, "2023-11-14T23:13:20.12345+01:00");
  assert_string_equal (f, "2023-11-14 23:13:20.12345 +0100 CET");
  setenv ("TZ", "XST+5:30", 1);
  tzset ();
  g = husk_time_rfc3339nano_local (1700000000, 5);
  assert_string_equal (g, "2023-11-14T16:43:20.000000005-05:30");
  unsetenv ("TZ");
  tzset ();
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (text_and_fields_match_go),
    cmocka_unit_test (printing_values_as_go_match_go),
    cmocka_unit_test (trim_markers_and_comments_match_go),
    cmocka_unit_test (literals_match_go),
    cmocka_unit_test (variables_match_go),
    cmocka_unit_test (pipelines_match_go),
    cmocka_unit_test (if_else_match_go),
    cmocka_unit_test (range_match_go),
    cmocka_unit_test (with_match_go),
    cmocka_unit_test (builtin_functions_match_go),
    cmocka_unit_test (comparisons_match_go),
    cmocka_unit_test (print_functions_match_go),
    cmocka_unit_test (printf_verbs_match_go),
    cmocka_unit_test (printf_values_match_go),
    cmocka_unit_test (printf_errors_inline_match_go),
    cmocka_unit_test (podman_functions_match_go),
    cmocka_unit_test (function_argument_errors_match_go),
    cmocka_unit_test (exec_errors_match_go),
    cmocka_unit_test (parse_errors_match_go),
    cmocka_unit_test (strict_mode_rejects_unknown_field_of_item),
    cmocka_unit_test (strict_mode_keeps_nested_objects_as_maps),
    cmocka_unit_test (header_names_split_camel_case),
    cmocka_unit_test (header_mode_renders_field_headers),
    cmocka_unit_test (header_mode_declares_range_variables_of_a_failed_pipeline),
    cmocka_unit_test (output_limit_stops_execution),
    cmocka_unit_test (step_limit_stops_nested_ranges),
    cmocka_unit_test (deep_nesting_is_a_parse_error),
    cmocka_unit_test (unsupported_define_is_a_parse_error),
    cmocka_unit_test (named_template_names_itself_in_errors),
    cmocka_unit_test (report_table_aligns_header_and_rows),
    cmocka_unit_test (report_table_spaces_separate_columns),
    cmocka_unit_test (report_table_without_heading),
    cmocka_unit_test (report_table_of_nothing_prints_header),
    cmocka_unit_test (report_default_format_for_empty_and_table),
    cmocka_unit_test (report_plain_template_adds_newline_per_item),
    cmocka_unit_test (report_template_with_own_range_runs_once),
    cmocka_unit_test (report_falls_back_to_unescaped_text),
    cmocka_unit_test (report_json_is_an_indented_array),
    cmocka_unit_test (report_json_detection_matches_podman),
    cmocka_unit_test (report_json_template_prints_one_object_per_line),
    cmocka_unit_test (report_unknown_field_fails_in_strict_mode),
    cmocka_unit_test (report_parse_error_is_reported_at_creation),
    cmocka_unit_test (tabwriter_matches_go),
    cmocka_unit_test (human_size_uses_three_digits_and_decimal_units),
    cmocka_unit_test (human_duration_follows_go_units),
    cmocka_unit_test (time_formats_match_go),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
