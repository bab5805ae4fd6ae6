#include "eventformat.h"

#include "action.h"

namespace finscope {

namespace {

constexpr qsizetype PreviewBytes = 40;

QString preview(const Event &event, const EventStore &store)
{
    const Direction direction
        = event.kind == EventKind::Send ? Direction::Sent : Direction::Received;
    const PayloadStream *stream = store.payloadStream(event.side, event.conn, direction);
    if (!stream || event.offset >= stream->data.size())
        return QString();
    const qsizetype available = stream->data.size() - qsizetype(event.offset);
    const qsizetype take = std::min<qsizetype>({PreviewBytes, qsizetype(event.bytes), available});
    const QString text
        = escapeBytes(QByteArrayView(stream->data).sliced(qsizetype(event.offset), take));
    return QStringLiteral("  \"%1\"%2")
        .arg(text, take < event.bytes ? QStringLiteral("...") : QString());
}

} // namespace

QString formatAction(const RecordedAction &action)
{
    return QStringLiteral("%1  %2 %3  %4 %5")
        .arg(double(action.tNs) / 1e9, 12, 'f', 6)
        .arg(sideName(action.side))
        .arg(action.conn)
        .arg(QStringLiteral("action"), -8)
        .arg(action.text);
}

QString formatEvent(const Event &event, const EventStore &store)
{
    const QString details = formatEventDetails(event, store);
    QString line = QStringLiteral("%1  %2 %3  %4")
                       .arg(double(event.tNs) / 1e9, 12, 'f', 6)
                       .arg(sideName(event.side))
                       .arg(event.conn)
                       .arg(kindName(event.kind), details.isEmpty() ? 0 : -8);
    if (!details.isEmpty())
        line += u' ' + details;
    return line;
}

QString formatEventDetails(const Event &event, const EventStore &store)
{
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
        if (event.err != 0)
            details = QStringLiteral("%1 %2").arg(errnoName(event.err), errnoMessage(event.err));
        break;
    case EventKind::Close:
    case EventKind::Abort:
        if (event.bytes > 0)
            details = QStringLiteral("%1 unread").arg(event.bytes);
        break;
    default:
        break;
    }
    const QString text = store.string(event.text);
    if (!text.isEmpty())
        details += details.isEmpty() ? text : QStringLiteral("  (%1)").arg(text);
    return details;
}

} // namespace finscope
