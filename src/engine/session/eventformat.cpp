#include "engine/session/eventformat.h"

#include "engine/core/action.h"
#include "engine/core/terminaltext.h"

namespace finscope {

namespace {

constexpr qsizetype PreviewBytes = 40;
constexpr int KindWidth = 8; // "shutdown", the longest kind

QString preview(const Event &event, const EventStore &store)
{
    const Direction direction
        = event.kind == EventKind::Send ? Direction::Sent : Direction::Received;
    const PayloadStream *stream = store.payloadStream(event.side, event.conn, direction);
    if (!stream || event.offset >= stream->data.size())
        return QString(); // not kept: past the payload cap
    const qsizetype available = stream->data.size() - qsizetype(event.offset);
    const qsizetype take = std::min<qsizetype>({PreviewBytes, qsizetype(event.bytes), available});
    if (take <= 0)
        return QString();
    const QString text
        = escapeBytes(QByteArrayView(stream->data).sliced(qsizetype(event.offset), take));
    return QStringLiteral("  \"%1\"%2")
        .arg(text, take < event.bytes ? QStringLiteral("...") : QString());
}

// "    0.000412  client 1  " then the kind (or "action") padded, so details line up in a column.
QString linePrefix(qint64 tNs, Side side, quint32 conn, const QString &kind)
{
    return QStringLiteral("%1  %2 %3  %4")
        .arg(double(tNs) / 1e9, 12, 'f', 6)
        .arg(sideName(side))
        .arg(conn)
        .arg(kind, -KindWidth);
}

} // namespace

QString formatAction(const RecordedAction &action)
{
    return linePrefix(action.tNs, action.side, action.conn, QStringLiteral("action")) + u' '
           + TerminalText::escaped(action.text);
}

QString formatEvent(const Event &event, const EventStore &store)
{
    const QString prefix = linePrefix(event.tNs, event.side, event.conn, kindName(event.kind));
    const QString details = formatEventDetails(event, store);
    if (!details.isEmpty())
        return prefix + u' ' + details;
    QString line = prefix;
    while (line.endsWith(u' '))
        line.chop(1);
    return line;
}

namespace {

QString formatEventFields(const Event &event, const EventStore &store);

// How the event was found and, for a RST, who sent it: omitted for a plain call result, so the
// lines of older sessions read as they did.
QString provenance(const Event &event)
{
    QStringList notes;
    if (event.kind == EventKind::Rst && event.origin != RstOrigin::None)
        notes << QStringLiteral("origin %1").arg(originName(event.origin));
    if (event.via != Via::Call)
        notes << QStringLiteral("via %1").arg(viaName(event.via));
    return notes.isEmpty() ? QString()
                           : QStringLiteral("[%1]").arg(notes.join(QStringLiteral(", ")));
}

QString withProvenance(const QString &details, const Event &event)
{
    const QString notes = provenance(event);
    if (notes.isEmpty())
        return details;
    return details.isEmpty() ? notes : details + u' ' + notes;
}

} // namespace

QString formatEventDetails(const Event &event, const EventStore &store)
{
    return withProvenance(formatEventFields(event, store), event);
}

namespace {

QString formatEventFields(const Event &event, const EventStore &store)
{
    // From the file or the kernel: printed, so it must not be able to drive a terminal.
    const QString text = TerminalText::escaped(store.string(event.text));
    QString details;
    switch (event.kind) {
    case EventKind::Send:
    case EventKind::Recv:
        details
            = QStringLiteral("%1 B @%2").arg(event.bytes).arg(event.offset) + preview(event, store);
        break;
    case EventKind::Shutdown:
        details = howName(event.how);
        break;
    case EventKind::State:
        details = stateName(event.state);
        break;
    case EventKind::Queue:
        details = QStringLiteral("userq=%1 outq=%2 inq=%3")
                      .arg(event.bytes)
                      .arg(event.outq)
                      .arg(event.inq);
        break;
    case EventKind::Error:
    case EventKind::Rst:
        if (event.err != 0) {
            details = errnoName(event.err);
            // The recorder's text usually repeats strerror ("recv: Connection reset by peer").
            // A RST our own kernel sent is not "by peer": its errno is only what the program
            // will be told, and the text says why it was sent.
            if (event.kind == EventKind::Rst && event.origin == RstOrigin::Local)
                details += QStringLiteral(" (what the program is told)");
            else if (text.isEmpty() || !text.contains(errnoMessage(event.err)))
                details += u' ' + errnoMessage(event.err);
        }
        break;
    case EventKind::Close:
    case EventKind::Abort:
        // Unread bytes are why a close sent RST instead of FIN: say so even when no text does.
        if (event.bytes > 0 && !text.contains(QLatin1StringView("unread"))) {
            const QString why
                = event.kind == EventKind::Close
                      ? QStringLiteral("%1 unread bytes: the kernel sends RST, not FIN")
                      : QStringLiteral("%1 unread bytes discarded");
            const QString note = why.arg(event.bytes);
            return text.isEmpty() ? QStringLiteral("(%1)").arg(note)
                                  : QStringLiteral("(%1; %2)").arg(note, text);
        }
        return text.isEmpty() ? QString() : QStringLiteral("(%1)").arg(text);
    default:
        break;
    }
    if (!text.isEmpty())
        details += details.isEmpty() ? text : QStringLiteral(" (%1)").arg(text);
    return details;
}

} // namespace

} // namespace finscope
