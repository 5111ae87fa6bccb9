/*
 * Console lines with a fixed prefix and level, one per call:
 *   cleave|INFO|cpu0: <message>
 *   cleave|ERROR|cpu0: <message>
 *   cleave|FENCE|k1: <message>       (log_for: the EL2 fence, about a kernel)
 * fail() is the single way to give up: it prints an ERROR line and parks.
 * refuse() is fail() for what stops a boot before any kernel was touched:
 * its line ends "; refusing to boot".
 */
#ifndef LOADER_LOG_H
#define LOADER_LOG_H

#include <stdint.h>

void log_line(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line on behalf of a kernel rather than a core: cleave|<level>|<who>: <message> (the EL2 fence's). */
void log_for(const char *level, const char *who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_info(...)	log_line("INFO", __VA_ARGS__)
#define log_error(...)	log_line("ERROR", __VA_ARGS__)

/* Microseconds and deadlines on the architecture's counter. */
uint64_t time_us_since(uint64_t start);
uint64_t time_deadline_ms(uint64_t ms);
int time_passed(uint64_t deadline);

#endif /* LOADER_LOG_H */
