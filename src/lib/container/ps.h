/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ps` (ps.c): which containers are listed (the running-only default,
 * --filter, -l, -n), the STATUS text of each (with its healthcheck's
 * status, which the monitor keeps in health.json), their sizes with
 * --size, --sort, and the object `podman ps --format json` prints per
 * container.  The front ends get typed rows through ops/container_ps.h
 * and only format them, so the CLI and the REST API list the same
 * containers the same way.
 */
#ifndef HUSK_CONTAINER_PS_H
#define HUSK_CONTAINER_PS_H

#include "container/size.h"
#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One --filter, parsed (husk_container_ps_filter_parse()).  */
enum husk_ps_filter_key
{
  HUSK_PS_FILTER_ID,       /* the ID starts with value */
  HUSK_PS_FILTER_NAME,     /* the name contains value */
  HUSK_PS_FILTER_STATUS,   /* the state is value ("stopped": exited) */
  HUSK_PS_FILTER_EXITED,   /* exited with that code */
  HUSK_PS_FILTER_ANCESTOR, /* image ID prefix, or part of the image's name */
  HUSK_PS_FILTER_LABEL,    /* "key" or "key=value" */
  HUSK_PS_FILTER_BEFORE,   /* created before the container named */
  HUSK_PS_FILTER_SINCE,    /* created after the container named */
  HUSK_PS_FILTER_POD,      /* in the pod named (value: its ID, "" for none) */
};

struct husk_ps_filter
{
  enum husk_ps_filter_key key;
  char *value;
  int64_t created; /* before/since: when the named container was created */
};

struct husk_ps_opts
{
  bool all;           /* -a: every state; else only running and paused */
  bool latest;        /* -l: only the newest */
  long last;          /* -n: the newest n (any state); < 0: no limit */
  char *const *filters; /* --filter "key=value", all of which must match */
  const char *sort;   /* NULL: "created"; see husk_container_ps_sort_valid() */
  bool size;          /* compute each container's sizes */
  bool namespaces;    /* --ns: read each running container's namespaces */
};

/* A container as `ps` lists it.  */
struct husk_ps_row
{
  struct husk_container_rec rec; /* its row, the state up to date */
  char *image;   /* the image as named at create; "" when unknown */
  char *command; /* entrypoint and command, joined by spaces, in full */
  char *status;  /* the STATUS text (husk_container_ps_status_text()) */
  bool auto_remove;   /* created with --rm */
  char *ports;        /* the PORTS text: "0.0.0.0:8080->80/tcp, ..." or "" */
  json_t *labels;     /* its labels (an object), or NULL */
  bool sized;         /* size holds its sizes */
  struct husk_container_size size;
  char *size_error;   /* asked for sizes and they could not be read: why */
  json_t *namespaces; /* with --ns: Podman's Namespaces object, else NULL */
  json_t *cfg;        /* its parsed config (rec.config) */
};

void husk_ps_row_release (struct husk_ps_row *r);
void husk_ps_rows_free (struct husk_ps_row *rows, size_t n);

/**
 * husk_container_ps() - The containers `ps` shows
 * @o:    what to show
 * @rows: set to the rows, sorted by @o->sort (free with husk_ps_rows_free())
 * @n:    their number
 * @err:  EINVAL for an unknown filter or sort key, the lookup's error for
 *        a before=/since= container that does not exist
 *
 * Without -a, -l, -n or a filter only running and paused containers are
 * listed.  -l and -n take the newest that match; the rows are then sorted
 * (by "created": oldest first).  A container whose sizes cannot be read
 * is listed all the same, with size_error set (as Podman: the others
 * still are).
 * Return: 0, or -1 (nothing is listed).
 */
int husk_container_ps (struct husk_engine *e, const struct husk_ps_opts *o,
                       struct husk_ps_row **rows, size_t *n, husk_error_t *err);

/**
 * husk_container_ps_namespaces() - A container's namespaces as `ps --ns` shows them
 * @r: the container
 *
 * The inode numbers of its init's namespaces, as strings, under Podman's
 * keys: Cgroup, IPC, MNT, NET, PIDNS, User, UTS.  They are read only while
 * the recorded process is alive (util/proc.h), checked again after
 * reading, so a later process that took its pid is never described; a
 * container not running has "" for each.
 * Return: a new object.
 */
json_t *husk_container_ps_namespaces (const struct husk_container_rec *r);

/* Whether key is one of --sort's: command, created, id, image, names,
   runningfor, size, status.  */
bool husk_container_ps_sort_valid (const char *key);

/**
 * husk_container_ps_filter_parse() - Parse and check --filter values
 * @e:       resolves before= and since=; may be NULL when neither is given
 * @filters: "key=value" (a bare "key" has the value "")
 * @out:     set to an array of *n filters (free with husk_ps_filters_free())
 *
 * Return: 0, or -1 (EINVAL "KEY is an invalid filter"; the lookup's error
 * for before=/since=).
 */
int husk_container_ps_filter_parse (struct husk_engine *e, char *const *filters,
                                    struct husk_ps_filter **out, size_t *n, husk_error_t *err);
void husk_ps_filters_free (struct husk_ps_filter *f, size_t n);

/* Whether a container (cfg: its parsed configuration) passes the filters:
   one of each key, every label=.  */
bool husk_container_ps_filter_match (const struct husk_ps_filter *f, size_t n,
                                     const struct husk_container_rec *r, json_t *cfg);

/**
 * husk_container_ps_status_text() - Podman's STATUS text of a container
 * @health: its healthcheck's status ("healthy", "starting", ...), or NULL
 *          when it has no healthcheck
 * @now:    the time, in Unix seconds
 *
 * "Up 3 minutes ago (healthy)" (running or stopping), "Up 3 minutes
 * (Paused)", "Exited (1) 5 seconds ago", "Initialized" or "Created".
 * Return: a new string.
 */
char *husk_container_ps_status_text (const struct husk_container_rec *r,
                                     const char *health, int64_t now);

/* Sort rows by a --sort key (NULL: "created"): created and runningfor by
   creation, oldest first; size by the root file system's size (rows
   without sizes count 0), then creation; the others by their text.  */
void husk_container_ps_sort (struct husk_ps_row *rows, size_t n, const char *key);

/**
 * husk_container_ps_json() - A container as `podman ps --format json` shows it
 * @r:      the container, its state up to date
 * @cfg:    its config parsed (rec.config), or NULL to parse it here
 * @status: the STATUS text ("Up 5 minutes", "Exited (0) 3 seconds ago")
 * @size:   its sizes, or NULL when not asked for ("Size": null)
 *
 * The keys and their order are Podman's: AutoRemove, Command, CreatedAt,
 * Exited, ExitedAt, ExitCode, Id, Image, ImageID, IsInfra, Labels, Mounts,
 * Names, Namespaces, Networks, Pid, Pod, PodName, Ports, Size, StartedAt,
 * State, Status, Created.  Times never reached are Go's zero time in Unix
 * seconds (-62135596800), as Podman prints them.
 * Return: a new object.
 */
json_t *husk_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                                json_t *cfg, const char *status, const struct husk_container_size *size);

#endif
