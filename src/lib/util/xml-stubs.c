/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-ins for the libxml2 symbols that libarchive's xar writer uses,
 * linked only when libarchive is linked statically (see meson.build).
 * libarchive's format table makes the linker keep every writer, but husk
 * only writes pax archives and never selects xar; without these, static
 * linking would pull in libxml2 and ICU, whose loading costs more than the
 * rest of a husk command.  Each stand-in fails the way libxml2 reports
 * failure (NULL or -1), so even a call would end in a clean error.
 */
#include <stddef.h>

void *xmlBufferCreate (void);
void xmlBufferFree (void *b);
void xmlFreeTextWriter (void *w);
void *xmlNewTextWriterMemory (void *b, int c);
int xmlTextWriterEndDocument (void *w);
int xmlTextWriterEndElement (void *w);
int xmlTextWriterSetIndent (void *w, int i);
int xmlTextWriterStartDocument (void *w, const char *v, const char *e, const char *s);
int xmlTextWriterStartElement (void *w, const void *n);
int xmlTextWriterWriteAttribute (void *w, const void *n, const void *v);
int xmlTextWriterWriteBase64 (void *w, const char *d, int s, int l);
int xmlTextWriterWriteFormatAttribute (void *w, const void *n, const char *f, ...);
int xmlTextWriterWriteString (void *w, const void *c);
int UTF8Toisolat1 (unsigned char *o, int *ol, const unsigned char *i, int *il);

void *xmlBufferCreate (void) { return NULL; }
void xmlBufferFree (void *b) { (void) b; }
void xmlFreeTextWriter (void *w) { (void) w; }
void *xmlNewTextWriterMemory (void *b, int c) { (void) b; (void) c; return NULL; }
int xmlTextWriterEndDocument (void *w) { (void) w; return -1; }
int xmlTextWriterEndElement (void *w) { (void) w; return -1; }
int xmlTextWriterSetIndent (void *w, int i) { (void) w; (void) i; return -1; }
int xmlTextWriterStartDocument (void *w, const char *v, const char *e, const char *s)
{ (void) w; (void) v; (void) e; (void) s; return -1; }
int xmlTextWriterStartElement (void *w, const void *n) { (void) w; (void) n; return -1; }
int xmlTextWriterWriteAttribute (void *w, const void *n, const void *v)
{ (void) w; (void) n; (void) v; return -1; }
int xmlTextWriterWriteBase64 (void *w, const char *d, int s, int l)
{ (void) w; (void) d; (void) s; (void) l; return -1; }
int xmlTextWriterWriteFormatAttribute (void *w, const void *n, const char *f, ...)
{ (void) w; (void) n; (void) f; return -1; }
int xmlTextWriterWriteString (void *w, const void *c) { (void) w; (void) c; return -1; }
int UTF8Toisolat1 (unsigned char *o, int *ol, const unsigned char *i, int *il)
{ (void) o; (void) ol; (void) i; (void) il; return -1; }
