// sd_notify(3) and sd_journal_sendv(3) are plain C functions; this header only exposes them.
#ifndef HERALD_CSYSTEMD_SHIM_H
#define HERALD_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
