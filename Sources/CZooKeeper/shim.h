// C shim for libzookeeper_mt (Debian: libzookeeper-mt-dev).
// THREADED enables the multi-threaded API (zoo_multi, sync calls).
#ifndef PVCKIT_CZOOKEEPER_SHIM_H
#define PVCKIT_CZOOKEEPER_SHIM_H
#ifndef THREADED
#define THREADED
#endif
#include <stdio.h>
#include <zookeeper/zookeeper.h>

// Mutable C globals that Swift 6 rejects are reached through these.
static inline struct ACL_vector *pvc_zoo_open_acl_unsafe(void) { return &ZOO_OPEN_ACL_UNSAFE; }

// Silences the client's own logging.
static inline void pvc_zoo_quiet(void) {
  zoo_set_debug_level((ZooLogLevel)0);
}
#endif
