#ifndef STREAMZ_CRDKAFKA_SHIM_H
#define STREAMZ_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
