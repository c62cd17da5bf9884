// C shim for libxml2 (Debian: libxml2-dev), the parser libvirt itself reads
// domain definitions with: PVCKit reads them with the same one.
//
// libxml2's own headers pull in the system's ICU headers, which clash with the
// ICU Foundation ships; so the few functions of its reader API PVCKit calls are
// declared here, with the reader as an opaque pointer.
#ifndef PVCKIT_CXML2_SHIM_H
#define PVCKIT_CXML2_SHIM_H
#include <string.h>

typedef void *pvc_xml_reader;

extern void xmlInitParser(void);
extern pvc_xml_reader xmlReaderForMemory(const char *buffer, int size, const char *url, const char *encoding,
                                         int options);
extern int xmlTextReaderRead(pvc_xml_reader reader);
extern int xmlTextReaderNodeType(pvc_xml_reader reader);
extern const unsigned char *xmlTextReaderConstName(pvc_xml_reader reader);
extern const unsigned char *xmlTextReaderConstValue(pvc_xml_reader reader);
extern int xmlTextReaderIsEmptyElement(pvc_xml_reader reader);
extern int xmlTextReaderMoveToNextAttribute(pvc_xml_reader reader);
extern int xmlTextReaderGetParserLineNumber(pvc_xml_reader reader);
extern void xmlFreeTextReader(pvc_xml_reader reader);
typedef void (*pvc_xml_error_function)(void *arg, const char *message, int severity, void *locator);
extern void xmlTextReaderSetErrorHandler(pvc_xml_reader reader, pvc_xml_error_function handler, void *arg);
typedef void (*pvc_xml_generic_error_function)(void *context, const char *message, ...);
extern void xmlSetGenericErrorFunc(void *context, pvc_xml_generic_error_function handler);

// Options for untrusted documents: no network, no error output, CDATA as text;
// no recovery, no entity substitution, no DTD loaded (none of those flags set).
static inline int pvc_xml_strict_options(void) { return (1 << 11) | (1 << 5) | (1 << 6) | (1 << 14); }

// The first error of a read, kept for the message.
typedef struct { char message[256]; } pvc_xml_error;

static inline void pvc_xml_keep_error(void *arg, const char *message, int severity, void *locator) {
  (void)severity;
  (void)locator;
  pvc_xml_error *error = (pvc_xml_error *)arg;
  if (error->message[0] == 0 && message) {
    strncpy(error->message, message, sizeof error->message - 1);
    error->message[sizeof error->message - 1] = 0;
  }
}

// Errors of a reader go to `error` (and nowhere else).
static inline void pvc_xml_collect_errors(pvc_xml_reader reader, pvc_xml_error *error) {
  xmlTextReaderSetErrorHandler(reader, pvc_xml_keep_error, error);
}

static void pvc_xml_silent(void *context, const char *message, ...) {
  (void)context;
  (void)message;
}
static inline void pvc_xml_quiet(void) { xmlSetGenericErrorFunc(NULL, pvc_xml_silent); }
#endif
