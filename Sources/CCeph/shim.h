// C shim for librados and librbd (Debian: librados-dev, librbd-dev).
#ifndef PVCKIT_CCEPH_SHIM_H
#define PVCKIT_CCEPH_SHIM_H
#include <rados/librados.h>
#include <rbd/librbd.h>
#endif
