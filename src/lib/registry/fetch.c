/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blobs fetched in parallel by one thread driving a curl multi handle,
 * no more than a few past the one the reader is at (see ahead ()).
 * Bytes go to each blob's fd as they arrive, hashed on the way; a reader
 * (the layer applier) follows each blob with husk_registry_fetch_wait(),
 * so a layer is decompressed and applied while it downloads.  A cut
 * transfer resumes with a Range request where it stopped, after the
 * retry delay (opts.retry_delay, else 1, 2, 4 ... s), opts.retries times.
 */
#include "registry/registry-private.h"

#include "util/cleanup.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct blob_state
{
  struct husk_registry_blob *b;
  struct husk_registry_fetch *f;
  struct husk_sha256 *hash;
  int64_t written;
  int64_t start;   /* where the current transfer began (Range) */
  int tries;
  int64_t retry_at; /* when waiting to resume (CLOCK_MONOTONIC ms), else 0 */
  bool done, failed, too_long, bad_status;
  long status;
  char *msg;
  CURL *easy;
  struct curl_slist *headers;
  char errbuf[CURL_ERROR_SIZE];
};

struct husk_registry_fetch
{
  struct husk_registry *r;
  struct blob_state *s;
  size_t n, next;
  size_t reading;  /* the blob the reader is at: no more than ahead () past it start */
  CURLM *m;        /* while run () drives it, for the reader's wake-ups */
  pthread_t thread;
  bool thread_started;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool stop;
};

static void
set_failed (struct blob_state *s, char *msg)
{
  pthread_mutex_lock (&s->f->lock);
  s->failed = true;
  free (s->msg);
  s->msg = msg;
  pthread_cond_broadcast (&s->f->cond);
  pthread_mutex_unlock (&s->f->lock);
}

static size_t
on_data (char *p, size_t size, size_t n, void *data)
{
  struct blob_state *s = data;
  size_t left;

  n *= size;
  curl_easy_getinfo (s->easy, CURLINFO_RESPONSE_CODE, &s->status);
  if (s->status != (s->start ? 206 : 200))
    {
      s->bad_status = true;
      return 0;
    }
  if (s->written + (int64_t) n > s->b->size)
    {
      s->too_long = true;
      return 0;
    }
  for (left = n; left > 0;)
    {
      ssize_t w = write (s->b->fd, p + (n - left), left);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return 0;
      left -= (size_t) w;
    }
  husk_sha256_update (s->hash, p, n);
  pthread_mutex_lock (&s->f->lock);
  s->written += (int64_t) n;
  pthread_cond_broadcast (&s->f->cond);
  pthread_mutex_unlock (&s->f->lock);
  return n;
}

static int
start_one (struct husk_registry_fetch *f, CURLM *m, struct blob_state *s)
{
  cleanup_free char *url = husk_asprintf ("%s/v2/%s/blobs/%s", f->r->base, f->r->repo,
                                          s->b->digest);

  if (s->easy)
    {
      curl_multi_remove_handle (m, s->easy);
      curl_easy_cleanup (s->easy);
      curl_slist_free_all (s->headers);
      s->headers = NULL;
    }
  s->easy = husk_registry_easy (f->r, url, &s->headers);
  if (s->easy == NULL)
    return -1;
  /* This thread's transfers use the multi handle's connections, not the
     process's shared cache (see husk_registry_easy).  */
  curl_easy_setopt (s->easy, CURLOPT_SHARE, NULL);
  s->bad_status = false;
  s->start = s->written;
  curl_easy_setopt (s->easy, CURLOPT_HTTPHEADER, s->headers);
  curl_easy_setopt (s->easy, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (s->easy, CURLOPT_WRITEDATA, s);
  curl_easy_setopt (s->easy, CURLOPT_PRIVATE, s);
  curl_easy_setopt (s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
  if (s->written)
    curl_easy_setopt (s->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) s->written);
  s->errbuf[0] = '\0';
  curl_multi_add_handle (m, s->easy);
  return 0;
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A transfer ended: verify, retry, or fail.  */
static void
finished (struct husk_registry_fetch *f, struct blob_state *s, CURLcode rc)
{
  const struct husk_registry_blob *b = s->b;
  char hex[HUSK_SHA256_HEX_LEN + 1];

  curl_easy_getinfo (s->easy, CURLINFO_RESPONSE_CODE, &s->status);
  if (rc == CURLE_OK && (s->status == 200 || s->status == 206) && s->written == b->size)
    {
      husk_sha256_final (s->hash, hex);
      s->hash = NULL;
      if (strcmp (b->digest + 7, hex) != 0)
        return set_failed (s, husk_asprintf ("reading blob %s: digest mismatch: got "
                                             "sha256:%s", b->digest, hex));
      pthread_mutex_lock (&f->lock);
      s->done = true;
      pthread_cond_broadcast (&f->cond);
      pthread_mutex_unlock (&f->lock);
      return;
    }
  if (s->too_long)
    return set_failed (s, husk_asprintf ("reading blob %s: more than the %" PRId64
                                         " bytes the manifest declares", b->digest, b->size));
  if (s->bad_status || (rc == CURLE_OK && s->written != b->size && s->status != 200
                        && s->status != 206))
    return set_failed (s, husk_asprintf ("reading blob %s in %s: status %ld (%" PRId64
                                         " of %" PRId64 " bytes, rc %d)", b->digest,
                                         f->r->name, s->status, s->written, b->size, rc));
  if (rc == CURLE_OK)
    rc = CURLE_PARTIAL_FILE; /* ended early */
  if (husk_registry_transient (rc, 0) && s->tries < f->r->o.retries)
    {
      unsigned delay = f->r->o.retry_delay > 0 ? (unsigned) f->r->o.retry_delay
                                               : 1u << s->tries;
      s->tries++;
      husk_log_info ("blob %s in %s: %s; resuming at byte %" PRId64 " in %us (retry %d of %d)",
                     b->digest, f->r->name, s->errbuf[0] ? s->errbuf : curl_easy_strerror (rc),
                     s->written, delay, s->tries, f->r->o.retries);
      s->retry_at = now_ms () + (int64_t) delay * 1000;
      return;
    }
  set_failed (s, husk_asprintf ("reading blob %s in %s: %s (after %d retries)", b->digest,
                                f->r->name, s->errbuf[0] ? s->errbuf : curl_easy_strerror (rc),
                                s->tries));
}

/* How many blobs past the one being read may download.  Layers are
   applied in order as they arrive: with all of them downloading at once
   they shared the link and finished together at the end, and only the
   first one's unpacking overlapped a download; the rest were unpacked one
   after another afterwards.  Keeping the downloads close to the reader
   lets the next layers arrive while this one is unpacked (big5 of
   bench/registry.sh, medians of 7 pulls on a loaded machine: 1.60 s with
   all at once, 1.46 s with one blob ahead, 1.00 s with two; two also
   keeps three connections for a distant registry).  HUSK_REGISTRY_AHEAD
   overrides it, for such measurements.  */
static size_t
ahead (void)
{
  const char *s = getenv ("HUSK_REGISTRY_AHEAD");

  return s && atoi (s) > 0 ? (size_t) atoi (s) : 2;
}

/* Resume the cut transfers whose retry delay is over.  */
static void
resume_due (struct husk_registry_fetch *f, CURLM *m, int *running)
{
  int64_t now = now_ms ();

  for (size_t i = 0; i < f->next; i++)
    {
      struct blob_state *s = &f->s[i];
      if (s->retry_at == 0 || s->retry_at > now)
        continue;
      s->retry_at = 0;
      if (start_one (f, m, s) < 0)
        {
          set_failed (s, husk_asprintf ("reading blob %s: out of memory", s->b->digest));
          (*running)--;
        }
    }
}

static void
fill (struct husk_registry_fetch *f, CURLM *m, int *running)
{
  int parallel = f->r->o.parallel > 0 ? f->r->o.parallel : 6;
  size_t limit;

  pthread_mutex_lock (&f->lock);
  limit = f->reading + ahead ();
  pthread_mutex_unlock (&f->lock);
  while (*running < parallel && f->next < f->n && f->next <= limit)
    {
      struct blob_state *s = &f->s[f->next++];
      if (start_one (f, m, s) < 0)
        set_failed (s, husk_asprintf ("reading blob %s: out of memory", s->b->digest));
      else
        (*running)++;
    }
}

static void *
run (void *data)
{
  struct husk_registry_fetch *f = data;
  CURLM *m = curl_multi_init ();
  int running = 0, still = 0;
  sigset_t pipe_set;

  /* A reader that stops early must not kill the process.  */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);
  pthread_mutex_lock (&f->lock);
  f->m = m;
  pthread_mutex_unlock (&f->lock);
  fill (f, m, &running);
  while (running > 0 || f->next < f->n)
    {
      CURLMsg *msg;
      int left;

      pthread_mutex_lock (&f->lock);
      bool stop = f->stop;
      pthread_mutex_unlock (&f->lock);
      if (stop)
        break;
      curl_multi_perform (m, &still);
      while ((msg = curl_multi_info_read (m, &left)))
        {
          struct blob_state *s;
          if (msg->msg != CURLMSG_DONE)
            continue;
          curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &s);
          CURLcode rc = msg->data.result;
          finished (f, s, rc);
          if (s->done || s->failed)
            running--;
        }
      resume_due (f, m, &running);
      fill (f, m, &running);
      /* The last blob is in: no wait (the pull joins us before it ends). */
      if (running == 0 && f->next >= f->n)
        break;
      curl_multi_poll (m, NULL, 0, 200, NULL);
    }
  pthread_mutex_lock (&f->lock);
  f->m = NULL;
  pthread_mutex_unlock (&f->lock);
  for (size_t i = 0; i < f->n; i++)
    if (f->s[i].easy)
      curl_multi_remove_handle (m, f->s[i].easy);
  curl_multi_cleanup (m);
  return NULL;
}

struct husk_registry_fetch *
husk_registry_fetch_start (struct husk_registry *r, struct husk_registry_blob *blobs, size_t n,
                           husk_error_t *err)
{
  struct husk_registry_fetch *f = husk_xzalloc (sizeof *f);

  f->r = r;
  f->n = n;
  f->s = husk_xzalloc ((n + 1) * sizeof *f->s);
  pthread_mutex_init (&f->lock, NULL);
  pthread_cond_init (&f->cond, NULL);
  for (size_t i = 0; i < n; i++)
    {
      f->s[i].b = &blobs[i];
      f->s[i].f = f;
      f->s[i].hash = husk_sha256_new ();
    }
  int e = pthread_create (&f->thread, NULL, run, f);
  if (e != 0)
    {
      husk_registry_fetch_free (f);
      husk_error_make (err, e, "start the download thread");
      return NULL;
    }
  f->thread_started = true;
  return f;
}

int
husk_registry_fetch_wait (struct husk_registry_fetch *f, size_t i, int64_t have,
                          int64_t *avail, husk_error_t *err)
{
  struct blob_state *s = &f->s[i];
  int ret;

  pthread_mutex_lock (&f->lock);
  if (i > f->reading)
    {
      /* Let the next blobs start.  */
      f->reading = i;
      if (f->m)
        curl_multi_wakeup (f->m);
    }
  while (!s->done && !s->failed && s->written <= have)
    pthread_cond_wait (&f->cond, &f->lock);
  *avail = s->written;
  if (s->failed)
    ret = husk_error_makex (err, EIO, "%s", s->msg);
  else
    ret = s->done && s->written <= have ? 0 : 1;
  pthread_mutex_unlock (&f->lock);
  return ret;
}

bool
husk_registry_fetch_done (struct husk_registry_fetch *f, size_t i)
{
  bool done;

  pthread_mutex_lock (&f->lock);
  done = f->s[i].done;
  pthread_mutex_unlock (&f->lock);
  return done;
}

void
husk_registry_fetch_free (struct husk_registry_fetch *f)
{
  if (f == NULL)
    return;
  if (f->thread_started)
    {
      pthread_mutex_lock (&f->lock);
      f->stop = true;
      /* Out of its poll at once, rather than at its next timeout.  */
      if (f->m)
        curl_multi_wakeup (f->m);
      pthread_mutex_unlock (&f->lock);
      pthread_join (f->thread, NULL);
    }
  for (size_t i = 0; i < f->n; i++)
    {
      struct blob_state *s = &f->s[i];
      if (s->easy)
        curl_easy_cleanup (s->easy);
      curl_slist_free_all (s->headers);
      husk_sha256_free (s->hash);
      free (s->msg);
    }
  pthread_mutex_destroy (&f->lock);
  pthread_cond_destroy (&f->cond);
  free (f->s);
  free (f);
}
