// C shim for the MariaDB client library (Debian: libmariadb-dev).
#ifndef PVCKIT_CMARIADB_SHIM_H
#define PVCKIT_CMARIADB_SHIM_H
#include <mysql.h>
#endif
