/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `top`: the processes of a running container, described with ps(1)'s AIX
 * format descriptors as Podman prints them.
 *
 * The container's processes are the host's processes in the pid namespace
 * of the container's init (compared by /proc/PID/ns/pid); a container that
 * shares the host's pid namespace is matched by its cgroups instead.  Pids
 * are those seen inside the container: the NSpid entry at the level of the
 * container's namespace.  User and group names come from the container's
 * own /etc/passwd and /etc/group, read through /proc/PID/root without ever
 * leaving that root.  Everything is read from /proc; nothing runs in the
 * container.
 */
#include "container/top.h"
#include "format/humanize.h"
#include "runtime/user.h"
#include "util/idmap.h"
#include "util/cleanup.h"
#include "util/hostdb.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DESCRIPTORS "user,pid,ppid,pcpu,etime,tty,time,args"

struct proc
{
  int hpid;         /* on the host */
  int pid;          /* in the container */
  int hppid;        /* parent on the host */
  int pgid;         /* in the container; 0 when its leader is outside */
  char state;
  unsigned long ruid, euid, rgid, egid;
  long nice;
  unsigned long long utime, stime, start; /* clock ticks */
  unsigned long long vsize;               /* bytes */
  long long rss;                          /* pages */
  int tty_nr;
  char *comm;
  char *args;
};

struct id_entry
{
  unsigned long id;
  size_t line;
  const char *name; /* points into the file's text */
  size_t name_len;
};

struct id_table
{
  char *text;
  struct id_entry *e;
  size_t n;
};

struct top
{
  struct proc *procs;
  size_t n;
  struct id_table passwd; /* the container's /etc/passwd */
  struct id_table group;
  bool mapped;            /* its own user namespace: IDs go through maps */
  struct husk_idmap uids; /* its maps, as husk's namespace sees them */
  struct husk_idmap gids;
  long ticks;
  long page_kb;
  int64_t boot_ns;
  int64_t now_ns;
};

static void
proc_release (struct proc *p)
{
  free (p->comm);
  free (p->args);
}

/* ---- reading /proc ----------------------------------------------------- */

static char *
read_proc (int pid, const char *what)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/%s", pid, what);

  return husk_read_file (path, NULL, NULL);
}

/* The last number of a "Name:\ta\tb\tc" line of /proc/PID/status, or the
   index-th one when index >= 0.  *count is set to how many there are.  */
static long
status_field (const char *status, const char *name, int index, int *count)
{
  cleanup_free char *key = husk_asprintf ("\n%s:", name);
  const char *p = strstr (status, key);
  long v = -1;
  int i = 0;

  if (count)
    *count = 0;
  if (p == NULL)
    return -1;
  p += strlen (key);
  while (*p && *p != '\n')
    {
      char *end;
      long x;

      while (*p == ' ' || *p == '\t')
        p++;
      x = strtol (p, &end, 10);
      if (end == p)
        break;
      if (index < 0 || i == index)
        v = x;
      i++;
      p = end;
    }
  if (count)
    *count = i;
  return v;
}

/* Parse /proc/PID/stat: the fields after the parenthesised comm.  */
static int
parse_stat (const char *stat, struct proc *p)
{
  const char *rp = strrchr (stat, ')');
  int ppid, pgrp, session, tty_nr;
  unsigned long long f[32];
  char state;
  const char *q;
  int n;

  if (rp == NULL || sscanf (rp + 1, " %c %d %d %d %d%n", &state, &ppid, &pgrp, &session,
                            &tty_nr, &n) < 5)
    return -1;
  q = rp + 1 + n;
  /* tpgid (8) up to rss (24): 17 numbers; tpgid may be -1.  */
  for (int i = 8; i <= 24; i++)
    {
      char *end;
      long long v = strtoll (q, &end, 10);
      if (end == q)
        return -1;
      f[i - 8] = (unsigned long long) v;
      q = end;
    }
  p->state = state;
  p->hppid = ppid;
  p->tty_nr = tty_nr;
  p->utime = f[14 - 8];
  p->stime = f[15 - 8];
  p->nice = (long) f[19 - 8];
  p->start = f[22 - 8];
  p->vsize = f[23 - 8];
  p->rss = (long long) f[24 - 8];
  return 0;
}

static char *
read_args (int pid, const char *comm)
{
  size_t len = 0;
  cleanup_free char *path = husk_asprintf ("/proc/%d/cmdline", pid);
  char *s = husk_read_file (path, &len, NULL);

  if (s == NULL || len == 0)
    {
      free (s);
      return husk_asprintf ("[%s]", comm);
    }
  while (len > 0 && s[len - 1] == '\0')
    len--;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\0')
      s[i] = ' ';
  s[len] = '\0';
  return s;
}

/* Read one process; level is how deep the container's namespace is (the
   number of NSpid entries of its init).  Return: 0, or -1 when it is gone. */
static int
read_proc_info (int hpid, int level, struct proc *p)
{
  cleanup_free char *stat = read_proc (hpid, "stat");
  cleanup_free char *status = read_proc (hpid, "status");
  cleanup_free char *comm = read_proc (hpid, "comm");
  int count;

  memset (p, 0, sizeof *p);
  if (stat == NULL || status == NULL || parse_stat (stat, p) < 0)
    return -1;
  p->hpid = hpid;
  p->pid = (int) status_field (status, "NSpid", level - 1, &count);
  if (count < level)
    p->pid = hpid;
  p->pgid = (int) status_field (status, "NSpgid", level - 1, &count);
  if (count < level)
    p->pgid = 0;
  p->ruid = status_field (status, "Uid", 0, NULL);
  p->euid = status_field (status, "Uid", 1, NULL);
  p->rgid = status_field (status, "Gid", 0, NULL);
  p->egid = status_field (status, "Gid", 1, NULL);
  if (comm)
    comm[strcspn (comm, "\n")] = '\0';
  p->comm = husk_xstrdup (comm ? comm : "");
  p->args = read_args (hpid, p->comm);
  return 0;
}

/* ---- which processes ------------------------------------------------------ */

struct member
{
  struct stat ns;  /* the container's pid namespace */
  bool by_cgroup;  /* the container shares our pid namespace */
  char *cgroup;    /* then: its init's /proc/PID/cgroup */
};

static int
member_init (struct member *m, int init, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/ns/pid", init);
  struct stat self;

  memset (m, 0, sizeof *m);
  if (stat (path, &m->ns) < 0)
    return husk_error_make (err, errno, "container process %d", init);
  if (stat ("/proc/self/ns/pid", &self) == 0 && self.st_ino == m->ns.st_ino
      && self.st_dev == m->ns.st_dev)
    {
      m->by_cgroup = true;
      m->cgroup = read_proc (init, "cgroup");
      if (m->cgroup == NULL)
        return husk_error_make (err, errno, "read cgroups of process %d", init);
    }
  return 0;
}

static bool
member_of (const struct member *m, int pid)
{
  if (m->by_cgroup)
    {
      cleanup_free char *cg = read_proc (pid, "cgroup");
      return cg && strcmp (cg, m->cgroup) == 0;
    }
  else
    {
      cleanup_free char *path = husk_asprintf ("/proc/%d/ns/pid", pid);
      struct stat st;
      return stat (path, &st) == 0 && st.st_ino == m->ns.st_ino && st.st_dev == m->ns.st_dev;
    }
}

static int
by_pid (const void *a, const void *b)
{
  const struct proc *x = a, *y = b;

  return (x->pid > y->pid) - (x->pid < y->pid);
}

static int
collect (struct top *t, int init, husk_error_t *err)
{
  cleanup_free char *status = read_proc (init, "status");
  cleanup_dir DIR *d = opendir ("/proc");
  struct member m;
  struct dirent *de;
  int level = 1;

  if (status == NULL)
    return husk_error_make (err, errno, "container process %d", init);
  status_field (status, "NSpid", -1, &level);
  if (level < 1)
    level = 1;
  if (member_init (&m, init, err) < 0)
    return -1;
  if (d == NULL)
    {
      free (m.cgroup);
      return husk_error_make (err, errno, "open '/proc'");
    }
  while ((de = readdir (d)) != NULL)
    {
      struct proc p;
      int pid;

      if (!isdigit ((unsigned char) de->d_name[0]))
        continue;
      pid = atoi (de->d_name);
      if (!member_of (&m, pid) || read_proc_info (pid, level, &p) < 0)
        continue;
      t->procs = husk_xrealloc (t->procs, (t->n + 1) * sizeof *t->procs);
      t->procs[t->n++] = p;
    }
  free (m.cgroup);
  qsort (t->procs, t->n, sizeof *t->procs, by_pid);
  return 0;
}

/* ---- values ----------------------------------------------------------------- */

static int
by_id (const void *a, const void *b)
{
  const struct id_entry *x = a, *y = b;

  if (x->id != y->id)
    return (x->id > y->id) - (x->id < y->id);
  return (x->line > y->line) - (x->line < y->line);
}

/* Index the lines "name:x:id:..." of a passwd or group file (both have the
   id third).  The file is the container's and may be hostile: one pass,
   then a sort, so a huge file costs O(n log n) once, not per process.  */
static void
id_table_build (struct id_table *t, const char *text, size_t len)
{
  const char *p = text, *end = text + len;
  size_t line = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p), *eol = nl ? nl : end;
      const char *c1 = memchr (p, ':', eol - p);
      const char *c2 = c1 ? memchr (c1 + 1, ':', eol - c1 - 1) : NULL;
      unsigned long v = 0;
      const char *q = c2 ? c2 + 1 : NULL;

      for (; q && q < eol && isdigit ((unsigned char) *q) && v < 0xffffffffUL; q++)
        v = v * 10 + (unsigned long) (*q - '0');
      if (c1 && c1 > p && q && q > c2 + 1 && (q == eol || *q == ':') && v <= 0xffffffffUL)
        {
          if (t->n % 256 == 0)
            t->e = husk_xrealloc (t->e, (t->n + 256) * sizeof *t->e);
          t->e[t->n++] = (struct id_entry){ v, line, p, (size_t) (c1 - p) };
        }
      p = eol + 1;
      line++;
    }
  if (t->n > 0)
    qsort (t->e, t->n, sizeof *t->e, by_id);
}

/* The first name of id in the file, or the number.  */
static char *
id_name (const struct id_table *t, unsigned long id)
{
  size_t lo = 0, hi = t->n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (t->e[mid].id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < t->n && t->e[lo].id == id)
    return husk_xstrndup (t->e[lo].name, t->e[lo].name_len);
  return husk_asprintf ("%lu", id);
}

static int64_t
start_ns (const struct top *t, const struct proc *p)
{
  return t->boot_ns + (int64_t) (p->start * 1000000000ULL / (unsigned long long) t->ticks);
}

/* A host ID (of husk's namespace) as the container sees it: through its
   maps when it has a user namespace of its own; unmapped IDs are the
   overflow ID, as the kernel shows them.  */
static unsigned long
inside (const struct top *t, const struct husk_idmap *m, unsigned long id)
{
  uint32_t c;

  if (!t->mapped)
    return id;
  return id <= UINT32_MAX && husk_idmap_to_container (m, (uint32_t) id, &c) ? c : 65534;
}

static char *
v_user (struct top *t, struct proc *p)
{
  return id_name (&t->passwd, inside (t, &t->uids, p->euid));
}

static char *
v_ruser (struct top *t, struct proc *p)
{
  return id_name (&t->passwd, inside (t, &t->uids, p->ruid));
}

static char *
v_group (struct top *t, struct proc *p)
{
  return id_name (&t->group, inside (t, &t->gids, p->egid));
}

static char *
v_rgroup (struct top *t, struct proc *p)
{
  return id_name (&t->group, inside (t, &t->gids, p->rgid));
}

static char *
v_huser (struct top *t, struct proc *p)
{
  char *name = husk_hostdb_field ("/etc/passwd", p->euid, 0);

  (void) t;
  return name ? name : husk_asprintf ("%lu", p->euid);
}

static char *
v_hgroup (struct top *t, struct proc *p)
{
  char *name = husk_hostdb_field ("/etc/group", p->egid, 0);

  (void) t;
  return name ? name : husk_asprintf ("%lu", p->egid);
}

static char *
v_pid (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%d", p->pid);
}

static char *
v_hpid (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%d", p->hpid);
}

/* The parent as the container sees it: 0 when it is outside.  */
static char *
v_ppid (struct top *t, struct proc *p)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->procs[i].hpid == p->hppid)
      return husk_asprintf ("%d", t->procs[i].pid);
  return husk_xstrdup ("0");
}

static char *
v_pgid (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%d", p->pgid);
}

static char *
v_pcpu (struct top *t, struct proc *p)
{
  double cpu = (double) (p->utime + p->stime) / (double) t->ticks;
  double up = (double) (t->now_ns - start_ns (t, p)) / 1e9;

  return husk_asprintf ("%.3f", up > 0 ? cpu / up * 100.0 : 0.0);
}

static char *
v_etime (struct top *t, struct proc *p)
{
  int64_t d = t->now_ns - start_ns (t, p);

  return husk_go_duration (d > 0 ? d : 0);
}

static char *
v_time (struct top *t, struct proc *p)
{
  unsigned long long sec = (p->utime + p->stime) / (unsigned long long) t->ticks;

  return husk_go_duration ((int64_t) sec * 1000000000);
}

static char *
v_tty (struct top *t, struct proc *p)
{
  unsigned major = ((unsigned) p->tty_nr >> 8) & 0xfff;
  unsigned minor = ((unsigned) p->tty_nr & 0xff) | (((unsigned) p->tty_nr >> 12) & 0xfff00);

  (void) t;
  if (p->tty_nr == 0)
    return husk_xstrdup ("?");
  if (major >= 136 && major <= 143)
    return husk_asprintf ("pts/%u", minor + (major - 136) * 256);
  if (major == 4 && minor < 64)
    return husk_asprintf ("tty%u", minor);
  return husk_xstrdup ("?");
}

static char *
v_nice (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%ld", p->nice);
}

static char *
v_vsz (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%llu", p->vsize / 1024);
}

static char *
v_rss (struct top *t, struct proc *p)
{
  return husk_asprintf ("%lld", p->rss * t->page_kb);
}

static char *
v_state (struct top *t, struct proc *p)
{
  (void) t;
  return husk_asprintf ("%c", p->state);
}

static char *
v_args (struct top *t, struct proc *p)
{
  (void) t;
  return husk_xstrdup (p->args);
}

static char *
v_comm (struct top *t, struct proc *p)
{
  (void) t;
  return husk_xstrdup (p->comm);
}

struct descriptor
{
  const char *name;
  const char *aix;    /* the AIX "%x" form, or NULL */
  const char *header;
  char *(*value) (struct top *t, struct proc *p);
};

static const struct descriptor descriptors[] = {
  { "args", "%a", "COMMAND", v_args },
  { "comm", "%c", "COMMAND", v_comm },
  { "etime", "%t", "ELAPSED", v_etime },
  { "group", "%G", "GROUP", v_group },
  { "hgroup", NULL, "HGROUP", v_hgroup },
  { "hpid", NULL, "HPID", v_hpid },
  { "huser", NULL, "HUSER", v_huser },
  { "nice", "%n", "NI", v_nice },
  { "pcpu", "%C", "%CPU", v_pcpu },
  { "pgid", "%r", "PGID", v_pgid },
  { "pid", "%p", "PID", v_pid },
  { "ppid", "%P", "PPID", v_ppid },
  { "rgroup", "%g", "RGROUP", v_rgroup },
  { "rss", NULL, "RSS", v_rss },
  { "ruser", "%u", "RUSER", v_ruser },
  { "state", NULL, "STATE", v_state },
  { "time", "%x", "TIME", v_time },
  { "tty", "%y", "TTY", v_tty },
  { "user", "%U", "USER", v_user },
  { "vsz", "%z", "VSZ", v_vsz },
  { NULL, NULL, NULL, NULL },
};

/* Other names ps(1) users type.  */
static const char *const aliases[][2] = {
  { "%cpu", "pcpu" }, { "elapsed", "etime" }, { "command", "args" }, { "cmd", "args" },
  { "ni", "nice" }, { "uid", "user" }, { "stat", "state" }, { "s", "state" },
  { "cputime", "time" }, { "tname", "tty" }, { "tt", "tty" }, { "pgrp", "pgid" },
  { "vsize", "vsz" }, { "rssize", "rss" }, { "rsz", "rss" }, { "ucmd", "comm" },
  { "egroup", "group" }, { "euser", "user" },
};

static const struct descriptor *
find_descriptor (const char *word)
{
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp (word, aliases[i][0]) == 0)
      word = aliases[i][1];
  for (const struct descriptor *d = descriptors; d->name; d++)
    if (strcmp (word, d->name) == 0 || (d->aix && strcmp (word, d->aix) == 0))
      return d;
  return NULL;
}

/* Words split at commas and blanks, each a known descriptor.  */
static int
parse_descriptors (char *const *words, const struct descriptor ***out, size_t *n,
                   husk_error_t *err)
{
  struct husk_buf all = HUSK_BUF_INIT;
  cleanup_free char *text = NULL;
  cleanup_strv char **parts = NULL;

  for (size_t i = 0; words && words[i]; i++)
    husk_buf_printf (&all, "%s%s", all.len ? "," : "", words[i]);
  husk_buf_append (&all, "", 0);
  text = husk_buf_steal (&all);
  if (*text == '\0')
    {
      free (text);
      text = husk_xstrdup (DEFAULT_DESCRIPTORS);
    }
  for (char *p = text; *p; p++)
    if (*p == ' ' || *p == '\t')
      *p = ',';
  parts = husk_strv_split (text, ',');
  *n = 0;
  *out = NULL;
  for (char **w = parts; *w; w++)
    {
      const struct descriptor *d;
      if (**w == '\0')
        continue;
      if ((d = find_descriptor (*w)) == NULL)
        {
          free (*out);
          *out = NULL;
          return husk_error_makex (err, EINVAL, "unknown descriptor: %s", *w);
        }
      *out = husk_xrealloc (*out, (*n + 1) * sizeof **out);
      (*out)[(*n)++] = d;
    }
  return 0;
}

/* ---- top ----------------------------------------------------------- */

static int64_t
boot_ns (void)
{
  cleanup_free char *stat = husk_read_file ("/proc/stat", NULL, NULL);
  const char *p = stat ? strstr (stat, "\nbtime ") : NULL;

  return p ? (int64_t) strtoll (p + 7, NULL, 10) * 1000000000 : 0;
}

/* The maps of init's user namespace when it is not husk's: reading its
   uid_map from here gives them relative to husk's namespace.  */
static void
read_maps (struct top *t, int init)
{
  cleanup_free char *ns = husk_asprintf ("/proc/%d/ns/user", init);
  cleanup_free char *um = NULL, *gm = NULL;
  struct stat a, b;

  if (stat (ns, &a) < 0 || stat ("/proc/self/ns/user", &b) < 0
      || (a.st_ino == b.st_ino && a.st_dev == b.st_dev))
    return;
  um = read_proc (init, "uid_map");
  gm = read_proc (init, "gid_map");
  if (um == NULL || gm == NULL)
    return;
  husk_idmap_from_proc (&t->uids, um);
  husk_idmap_from_proc (&t->gids, gm);
  t->mapped = true;
}

/* The container's /etc/passwd and /etc/group, through its init's root. */
static void
read_names (struct top *t, int init)
{
  cleanup_free char *root = husk_asprintf ("/proc/%d/root", init);
  cleanup_close int fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  size_t len;

  if (fd < 0)
    return;
  t->passwd.text = husk_user_read_file (fd, "/etc/passwd", HUSK_USER_FILE_MAX, &len, NULL);
  if (t->passwd.text)
    id_table_build (&t->passwd, t->passwd.text, len);
  t->group.text = husk_user_read_file (fd, "/etc/group", HUSK_USER_FILE_MAX, &len, NULL);
  if (t->group.text)
    id_table_build (&t->group, t->group.text, len);
}

static json_t *
render (struct top *t, const struct descriptor **ds, size_t nd)
{
  json_t *titles = json_array (), *rows = json_array ();

  for (size_t i = 0; i < nd; i++)
    json_array_append_new (titles, json_string (ds[i]->header));
  for (size_t k = 0; k < t->n; k++)
    {
      json_t *row = json_array ();
      for (size_t i = 0; i < nd; i++)
        {
          char *v = ds[i]->value (t, &t->procs[k]);
          json_array_append_new (row, json_string (v));
          free (v);
        }
      json_array_append_new (rows, row);
    }
  return json_pack ("{s:o, s:o}", "Titles", titles, "Processes", rows);
}

int
husk_container_top_check (char *const *words, husk_error_t *err)
{
  cleanup_free const struct descriptor **ds = NULL;
  size_t nd;

  return parse_descriptors (words, &ds, &nd, err);
}

json_t *
husk_container_top (const struct husk_container_rec *r, char *const *words, husk_error_t *err)
{
  struct top t = { 0 };
  cleanup_free const struct descriptor **ds = NULL;
  size_t nd;
  json_t *out = NULL;
  struct timespec ts;

  if (parse_descriptors (words, &ds, &nd, err) < 0)
    return NULL;
  t.ticks = sysconf (_SC_CLK_TCK);
  t.page_kb = sysconf (_SC_PAGESIZE) / 1024;
  t.boot_ns = boot_ns ();
  clock_gettime (CLOCK_REALTIME, &ts);
  t.now_ns = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
  if (t.ticks <= 0)
    t.ticks = 100;
  if (collect (&t, r->pid, err) == 0)
    {
      read_names (&t, r->pid);
      read_maps (&t, r->pid);
      out = render (&t, ds, nd);
    }
  for (size_t i = 0; i < t.n; i++)
    proc_release (&t.procs[i]);
  free (t.procs);
  free (t.passwd.text);
  free (t.passwd.e);
  free (t.group.text);
  free (t.group.e);
  return out;
}
