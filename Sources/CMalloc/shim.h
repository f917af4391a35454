// mallopt(3) lives in <malloc.h>, which Swift's Glibc module does not include.
#ifndef HERALD_CMALLOC_SHIM_H
#define HERALD_CMALLOC_SHIM_H
#include <malloc.h>
#endif
