#ifndef STREAMZ_CRDKAFKA_SHIM_H
#define STREAMZ_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#ifdef __linux__
#include <sys/prctl.h>
/* Names the calling thread for the kernel (top -H, /proc/.../comm): Foundation's
   Thread.name does not reach it on Linux, and prctl is not in Swift's Glibc module. */
static inline void streamz_name_this_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
#endif
#endif
