// C shim for libvirt (Debian: libvirt-dev).
#ifndef PVCKIT_CLIBVIRT_SHIM_H
#define PVCKIT_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
