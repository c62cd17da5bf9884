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

// The ACL of nodes created by a client that authenticated (PVCKit's optional
// ZooKeeper ACLs): every right for whoever authenticated as the creator did (the
// cluster's members share one digest identity), reading for anyone.
static inline struct ACL_vector *pvc_zoo_member_acl(void) {
  static struct ACL acl[2] = {
    {31 /* ZOO_PERM_ALL */, {(char *)"auth", (char *)""}},
    {1 /* ZOO_PERM_READ */, {(char *)"world", (char *)"anyone"}},
  };
  static struct ACL_vector vector = {2, acl};
  return &vector;
}

// Silences the client's own logging.
static inline void pvc_zoo_quiet(void) {
  zoo_set_debug_level((ZooLogLevel)0);
}
#endif
