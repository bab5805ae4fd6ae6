#include "engine/session/sessiontextexport.h"

#include "engine/core/terminaltext.h"
#include "engine/session/eventformat.h"

namespace finscope {

QStringList SessionTextExport::headerLines(const Session &session)
{
    QStringList lines;
    lines << QStringLiteral("session recorded by %1 at %2")
                 .arg(TerminalText::escaped(session.tool),
                      session.wallClockStart.toString(Qt::ISODateWithMs));
    for (const EndpointRecord &rec : session.endpoints) {
        lines << QStringLiteral("  %1 %2  local %3  peer %4  target %5")
                     .arg(sideName(rec.side))
                     .arg(rec.conn)
                     .arg(TerminalText::escaped(rec.localAddress),
                          TerminalText::escaped(rec.peerAddress),
                          TerminalText::escaped(rec.target));
    }
    QString counts = QStringLiteral("%1 actions, %2 events")
                         .arg(session.actions.size())
                         .arg(session.events.size());
    if (session.events.payloadCut())
        counts += QStringLiteral(" (payload kept only up to %1 bytes)")
                      .arg(session.events.payloadCap());
    lines << counts;
    return lines;
}

QStringList SessionTextExport::timelineLines(const Session &session)
{
    QStringList lines;
    qsizetype a = 0;
    for (const Event &event : session.events.events()) {
        for (; a < session.actions.size() && session.actions.at(a).tNs <= event.tNs; ++a)
            lines << formatAction(session.actions.at(a));
        lines << formatEvent(event, session.events);
    }
    for (; a < session.actions.size(); ++a)
        lines << formatAction(session.actions.at(a));
    return lines;
}

QString SessionTextExport::text(const Session &session)
{
    QString out;
    for (const QStringList &part : {headerLines(session), timelineLines(session)}) {
        for (const QString &line : part)
            out += line + u'\n';
    }
    return out;
}

} // namespace finscope
