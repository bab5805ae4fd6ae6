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

    // The longest sleep a script asks for, in seconds (about 31 years): time.sleep raises
    // OverflowError past about 9.2e9 s, and a crafted file can record any wait or gap.
    static constexpr double MaxSleepSeconds = 1e9;

    // Every string from the file enters the script through one of these two, so no file can make
    // it run code. A plain '...' str literal holding only printable ASCII: backslash and quote
    // escaped, every other character as \xNN, \uNNNN or \UNNNNNNNN, so it cannot end early, span
    // lines, or be read another way (no raw, byte or f-string prefix is ever put before it).
    static QString stringLiteral(QStringView text);
    // The same escaping without the quotes, for the text after a '#': it never holds a line
    // break, so the comment cannot end early.
    static QString commentText(QStringView text);
};

} // namespace finscope
