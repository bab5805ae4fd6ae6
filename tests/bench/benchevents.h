#pragma once

// The synthetic event mix the benchmarks share: mostly 64 KiB send/recv chunks, their queue
// samples, state changes and a few errors with text, spread over four connections.

#include "engine/core/event.h"

#include <cerrno>

namespace finscope::bench {

// A realistic mix: mostly send/recv with 64 KiB chunks, their queue samples, state changes and
// a few errors with text.
inline Event eventAt(int i, qint64 *offset)
{
    Event e;
    e.tNs = qint64(i) * 1500;
    e.side = i % 2 ? Side::Server : Side::Client;
    e.conn = 1 + (i % 4);
    switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
        e.kind = EventKind::Send;
        e.bytes = 65536;
        e.offset = *offset;
        *offset += e.bytes;
        break;
    case 4:
    case 5:
    case 6:
        e.kind = EventKind::Recv;
        e.bytes = 65536;
        e.offset = *offset;
        break;
    case 7:
    case 8:
        e.kind = EventKind::Queue;
        e.bytes = 1 << 20;
        e.outq = 2 << 20;
        e.inq = 4096;
        break;
    default:
        e.kind = i % 1000 == 9 ? EventKind::Error : EventKind::State;
        e.state = TcpState::Established;
        e.err = e.kind == EventKind::Error ? ECONNRESET : 0;
    }
    return e;
}

} // namespace finscope::bench
