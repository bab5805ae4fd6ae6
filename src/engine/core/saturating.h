#pragma once

// Byte counts summed from a file: each is at most 2^53, but a crafted file holds thousands, and a
// signed overflow is undefined behaviour (a diff once printed -8538824893494460416 bytes). A sum
// that would pass the largest qint64 stays there instead.

#include <QtGlobal>

#include <limits>

namespace finscope {

inline qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    if (!__builtin_add_overflow(a, b, &sum))
        return sum;
    return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
}

} // namespace finscope
