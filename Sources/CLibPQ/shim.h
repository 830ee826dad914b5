#ifndef STREAMZ_CLIBPQ_SHIM_H
#define STREAMZ_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
