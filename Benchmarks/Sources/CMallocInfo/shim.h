// glibc's mallinfo2(), which Swift's Glibc module does not import (it leaves out malloc.h).
#if defined(__linux__)
#include <malloc.h>
#endif
