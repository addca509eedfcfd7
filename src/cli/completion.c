/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk completion bash|zsh|fish: print a shell's completion script.  The
 * scripts hold no knowledge of husk: each asks `husk __complete WORD...`
 * (cli/complete.c) for the candidates of the word under the cursor, so
 * they follow whichever husk is installed.  "@DESC@" in a script becomes
 * 1, or 0 with --no-desc (no descriptions beside the candidates).
 */
#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* bash: the words come from the line up to the cursor (split at blanks,
   so "--name=x" and "image:tag" stay whole, unlike COMP_WORDS); readline
   replaces only what follows its last word-break character, so that much
   of each candidate is what goes into COMPREPLY.  */
static const char bash_script[] =
  "# bash completion for husk                                 -*- shell-script -*-\n"
  "# Written by `husk completion bash`.  The candidates come from\n"
  "# `husk __complete WORD...`, so they follow the husk that is installed.\n"
  "# Use: source <(husk completion bash), or install this file as\n"
  "# /usr/share/bash-completion/completions/husk.\n"
  "\n"
  "_husk()\n"
  "{\n"
  "    local desc=@DESC@\n"
  "    local line=${COMP_LINE:0:COMP_POINT}\n"
  "    local -a words\n"
  "    IFS=$' \\t\\n' read -r -a words <<< \"$line\"\n"
  "    [[ $line == *[[:space:]] ]] && words+=(\"\")\n"
  "    (( ${#words[@]} > 1 )) || return 0\n"
  "    local cur=${words[${#words[@]}-1]}\n"
  "    # What readline replaces: cur after its last word-break character.\n"
  "    local breaks=${COMP_WORDBREAKS//[[:space:]]/} tail=$cur\n"
  "    [[ -n $breaks ]] && tail=${cur##*[$breaks]}\n"
  "    local keep=${cur%\"$tail\"}\n"
  "    local prog=${words[0]}\n"
  "    [[ $prog == \"~/\"* ]] && prog=$HOME/${prog#\"~/\"}\n"
  "    local out\n"
  "    out=$(\"$prog\" __complete \"${words[@]:1}\" 2>/dev/null) || return 0\n"
  "    local directive=${out##*$'\\n'} l word\n"
  "    local -a descs=()\n"
  "    COMPREPLY=()\n"
  "    if [[ $out == *$'\\n'* ]]; then\n"
  "        while IFS= read -r l; do\n"
  "            word=${l%%$'\\t'*}\n"
  "            [[ $word == \"$keep\"* ]] || continue\n"
  "            COMPREPLY+=(\"${word#\"$keep\"}\")\n"
  "            if [[ $l == *$'\\t'* ]]; then descs+=(\"${l#*$'\\t'}\"); else descs+=(\"\"); fi\n"
  "        done <<< \"${out%$'\\n'*}\"\n"
  "    fi\n"
  "    case $directive in\n"
  "        :files|:dirs)\n"
  "            local flag=-f\n"
  "            [[ $directive == :dirs ]] && flag=-d\n"
  "            # -o filenames would quote the ':' of cp's \"name:\" candidates.\n"
  "            [[ \" ${COMPREPLY[*]} \" == *\": \"* ]] || compopt -o filenames 2>/dev/null\n"
  "            while IFS= read -r l; do COMPREPLY+=(\"$l\"); done < <(compgen $flag -- \"$tail\")\n"
  "            ;;\n"
  "    esac\n"
  "    if (( ${#COMPREPLY[@]} == 1 )) && [[ ${COMPREPLY[0]} == *[:=] ]]; then\n"
  "        compopt -o nospace 2>/dev/null\n"
  "    fi\n"
  "    # Listing the choices (a second TAB): show the descriptions too.\n"
  "    if [[ $desc == 1 && ${COMP_TYPE-} == 63 ]] && (( ${#COMPREPLY[@]} > 1 )); then\n"
  "        local i w=0\n"
  "        for i in \"${!descs[@]}\"; do (( ${#COMPREPLY[i]} > w )) && w=${#COMPREPLY[i]}; done\n"
  "        for i in \"${!descs[@]}\"; do\n"
  "            [[ -n ${descs[i]} ]] && printf -v 'COMPREPLY[i]' '%-*s  (%s)' \"$w\" \"${COMPREPLY[i]}\" \"${descs[i]}\"\n"
  "        done\n"
  "    fi\n"
  "    return 0\n"
  "}\n"
  "\n"
  "complete -F _husk husk\n";

/* zsh: loaded from $fpath (the file body defines _husk, then runs it) or
   sourced (then it registers _husk with compdef).  */
static const char zsh_script[] =
  "#compdef husk\n"
  "# zsh completion for husk, written by `husk completion zsh`.  The candidates\n"
  "# come from `husk __complete WORD...`, so they follow the husk that is\n"
  "# installed.  Use: source <(husk completion zsh), or install this file as\n"
  "# _husk in a directory of $fpath.\n"
  "\n"
  "_husk() {\n"
  "    local desc=@DESC@ out directive l word ret=1\n"
  "    local -a args lines cands nospace\n"
  "    args=(\"${(@Q)words[2,CURRENT-1]}\" \"${(Q)PREFIX}\")\n"
  "    out=$(\"${(Q)words[1]}\" __complete \"${args[@]}\" 2>/dev/null) || return 1\n"
  "    lines=(\"${(@f)out}\")\n"
  "    directive=${lines[-1]}\n"
  "    for l in \"${(@)lines[1,-2]}\"; do\n"
  "        [[ -n $l ]] || continue\n"
  "        word=${l%%$'\\t'*}\n"
  "        word=${word//:/\\\\:}\n"
  "        if [[ $desc == 1 && $l == *$'\\t'* ]]; then word=\"$word:${l#*$'\\t'}\"; fi\n"
  "        if [[ ${l%%$'\\t'*} == *[:=] ]]; then nospace+=(\"$word\"); else cands+=(\"$word\"); fi\n"
  "    done\n"
  "    (( ${#cands} )) && _describe -t husk 'husk' cands && ret=0\n"
  "    (( ${#nospace} )) && _describe -t husk 'husk' nospace -S '' && ret=0\n"
  "    case $directive in\n"
  "        :files) [[ $PREFIX == -* ]] && compset -P '*='; _files && ret=0 ;;\n"
  "        :dirs) [[ $PREFIX == -* ]] && compset -P '*='; _files -/ && ret=0 ;;\n"
  "    esac\n"
  "    return ret\n"
  "}\n"
  "\n"
  "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n"
  "    _husk \"$@\"\n"
  "else\n"
  "    compdef _husk husk\n"
  "fi\n";

/* fish: prints "word<TAB>description" lines, which fish shows as is.  */
static const char fish_script[] =
  "# fish completion for husk, written by `husk completion fish`.  The candidates\n"
  "# come from `husk __complete WORD...`, so they follow the husk that is\n"
  "# installed.  Use: husk completion fish | source, or install this file as\n"
  "# ~/.config/fish/completions/husk.fish.\n"
  "\n"
  "function __husk_complete\n"
  "    set -l desc @DESC@\n"
  "    set -l words (commandline -opc)\n"
  "    set -l cur (commandline -ct)\n"
  "    set -l out ($words[1] __complete $words[2..] $cur 2>/dev/null)\n"
  "    or return\n"
  "    set -l directive $out[-1]\n"
  "    set -e out[-1]\n"
  "    for l in $out\n"
  "        if test $desc = 1\n"
  "            printf '%s\\n' $l\n"
  "        else\n"
  "            string replace -r '\\t.*' '' -- $l\n"
  "        end\n"
  "    end\n"
  "    if contains -- $directive :files :dirs\n"
  "        set -l pre (string match -r -- '^--[^=]*=' $cur)\n"
  "        set -l val (string replace -r -- '^--[^=]*=' '' $cur)\n"
  "        set -l found\n"
  "        if test $directive = :files\n"
  "            set found (__fish_complete_path $val)\n"
  "        else\n"
  "            set found (__fish_complete_directories $val)\n"
  "        end\n"
  "        for f in $found\n"
  "            printf '%s%s\\n' \"$pre\" $f\n"
  "        end\n"
  "    end\n"
  "end\n"
  "\n"
  "complete -c husk -e\n"
  "complete -c husk -f -a '(__husk_complete)'\n";

static const struct
{
  const char *shell;
  const char *script;
} scripts[] = {
  { "bash", bash_script },
  { "zsh", zsh_script },
  { "fish", fish_script },
};

/* The script with every "@DESC@" replaced by desc.  */
static char *
render (const char *script, const char *desc)
{
  struct husk_buf b = HUSK_BUF_INIT;
  const char *at;

  while ((at = strstr (script, "@DESC@")) != NULL)
    {
      husk_buf_append (&b, script, (size_t) (at - script));
      husk_buf_puts (&b, desc);
      script = at + strlen ("@DESC@");
    }
  husk_buf_puts (&b, script);
  return husk_buf_steal (&b);
}

struct completion_opts
{
  char *file;
  bool no_desc;
};

int
cmd_completion (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "file", 'f', OPT_STRING, offsetof (struct completion_opts, file), "string", "Output the completion to file rather than stdout" },
    { "no-desc", 0, OPT_BOOL, offsetof (struct completion_opts, no_desc), NULL, "Don't include descriptions in the completion output" },
    OPTION_END,
  };
  struct completion_opts o = { 0 };
  cleanup_free char *text = NULL;
  const char *script = NULL;

  PARSE (opts, o, "[options] bash|zsh|fish|powershell", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
    if (strcmp (args[0], scripts[i].shell) == 0)
      script = scripts[i].script;
  if (script == NULL && strcmp (args[0], "powershell") == 0)
    return husk_error_makex (&ctx->err, ENOTSUP, "powershell completion is not supported: "
                             "choose bash, zsh or fish"), cli_fail (ctx);
  if (script == NULL)
    return cli_usage_error (ctx, "invalid argument \"%s\" for \"%s\": choose bash, zsh, fish "
                            "or powershell", args[0], ctx->cmd_path), cli_fail (ctx);
  text = render (script, o.no_desc ? "0" : "1");
  if (o.file && strcmp (o.file, "-") != 0)
    {
      if (husk_write_file_atomic (o.file, text, strlen (text), 0644, &ctx->err) < 0)
        return cli_fail (ctx);
      return 0;
    }
  fputs (text, stdout);
  return 0;
}
