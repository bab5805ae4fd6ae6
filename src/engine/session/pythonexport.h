#pragma once

// Turns one side of a recorded session into a Python 3 script that uses only the socket module to
// perform the same actions with the same calls (sock.shutdown(socket.SHUT_WR), SO_LINGER {1, 0}
// before close for abort, recv loops for read-until-eof, sleeps for waits and recorded gaps). The
// script prints what it does and what it receives, so a peer's behaviour can be shown to someone
// who does not have FinScope.

#include "engine/core/event.h"
#include "engine/session/session.h"

#include <QString>

#include <optional>

namespace finscope {

class PythonExport
{
public:
    // Gaps between two actions shorter than this are left out: they are the time the recording
    // machine took, not a pause anyone meant.
    static constexpr qint64 MinGapNs = 5'000'000;

    // The script for the recorded clients (connecting to HOST PORT, default the recorded target) or
    // server connections (listening on HOST PORT, default the recorded listen address), run one
    // connection after another. Fails when the session has no actions for that side.
    static std::optional<QString> script(const Session &session, Side side, QString *error);
};

} // namespace finscope
