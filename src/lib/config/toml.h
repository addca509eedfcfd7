/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A TOML 1.0 reader.  Debian ships no C TOML library, and the container
 * ecosystem's config files (containers.conf, storage.conf, registries.conf)
 * are TOML, so husk reads them with this small parser of its own.  It turns a
 * document into a jansson tree; callers never see TOML syntax.
 */
#ifndef HUSK_CONFIG_TOML_H
#define HUSK_CONFIG_TOML_H

#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/* Deepest nesting of tables and arrays the reader accepts.  Deeper input is
   refused so that hostile documents cannot exhaust the stack.  */
#define HUSK_TOML_MAX_DEPTH 128

/**
 * husk_toml_parse() - Parse a TOML 1.0 document into plain JSON
 * @text: the document; need not be NUL-terminated; a leading BOM is skipped
 * @len:  its length in bytes
 * @err:  on failure, "line N: <what is wrong>" with code EINVAL
 *
 * Tables become objects, arrays arrays, strings strings, integers json
 * integers, booleans booleans, finite floats reals.  Non-finite floats, which
 * jansson refuses, become the strings "inf", "-inf" and "nan".  Date and time
 * values become strings in RFC 3339 form ('T' separator, upper-case 'Z').
 *
 * Return: a new object, or NULL.
 */
json_t *husk_toml_parse (const char *text, size_t len, husk_error_t *err);

/**
 * husk_toml_parse_typed() - Parse into the toml-test "tagged JSON" encoding
 * @text, @len, @err: as for husk_toml_parse()
 *
 * Same parse, but every scalar becomes {"type": T, "value": "text"} where T
 * is one of string, integer, float, bool, datetime, datetime-local,
 * date-local or time-local, so the reader can be checked against the
 * toml-test vectors.
 *
 * Return: a new object, or NULL.
 */
json_t *husk_toml_parse_typed (const char *text, size_t len, husk_error_t *err);

#endif
