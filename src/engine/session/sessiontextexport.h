#pragma once

// A session as plain text: the header and the timeline of actions and events, the same lines
// `finscope-cli show` prints, for a bug report or a diff tool. Every text from the file in it is
// escaped with TerminalText: a file cannot drive the terminal that shows it.

#include "engine/session/session.h"

#include <QString>
#include <QStringList>

namespace finscope {

class SessionTextExport
{
public:
    // Who recorded it and when, the connection ends, and the counts.
    static QStringList headerLines(const Session &session);
    // Actions and events interleaved in time order, as they happened.
    static QStringList timelineLines(const Session &session);
    // Both, one line each, ending in a newline.
    static QString text(const Session &session);
};

} // namespace finscope
