/* CBootABI is a header-only C target; SwiftPM needs one source file to build it. */
#include "cleave_boot.h"
