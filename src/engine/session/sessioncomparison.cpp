#include "engine/session/sessioncomparison.h"

#include <map>

namespace finscope {

namespace {

using Key = std::pair<quint8, quint32>;

QString endName(Side side, quint32 conn)
{
    return QStringLiteral("%1 %2").arg(sideName(side)).arg(conn);
}

QString sequence(const QStringList &items)
{
    return items.isEmpty() ? QStringLiteral("nothing") : items.join(QStringLiteral(" then "));
}

bool comparedState(TcpState state)
{
    return state == TcpState::CloseWait || state == TcpState::TimeWait;
}

void appendCollapsed(QStringList *list, const QString &item)
{
    if (list->isEmpty() || list->last() != item)
        list->append(item);
}

} // namespace

SessionComparison::SessionComparison(const Session &first,
                                     const Session &second,
                                     const QString &firstName,
                                     const QString &secondName,
                                     std::optional<Side> only)
    : m_firstName(firstName)
    , m_secondName(secondName)
{
    std::map<Key, Summary> a;
    std::map<Key, Summary> b;
    for (const Summary &s : summarize(first))
        a[{quint8(s.side), s.conn}] = s;
    for (const Summary &s : summarize(second))
        b[{quint8(s.side), s.conn}] = s;
    std::map<Key, bool> keys;
    for (const auto &[key, s] : a)
        keys[key] = true;
    for (const auto &[key, s] : b)
        keys[key] = true;
    for (const auto &[key, unused] : keys) {
        const Side side = Side(key.first);
        if (only && side != *only)
            continue;
        const auto ia = a.find(key);
        const auto ib = b.find(key);
        compare(ia == a.end() ? nullptr : &ia->second,
                ib == b.end() ? nullptr : &ib->second,
                side,
                key.second);
    }
}

QList<SessionComparison::Summary> SessionComparison::summarize(const Session &session)
{
    std::map<Key, Summary> ends;
    std::map<Key, bool> closed;   // the close or abort was seen
    std::map<Key, bool> lookedUp; // and the state event after it too
    const auto summary = [&](Side side, quint32 conn) -> Summary & {
        Summary &s = ends[{quint8(side), conn}];
        s.side = side;
        s.conn = conn;
        return s;
    };
    for (const EndpointRecord &rec : session.endpoints) {
        if (rec.conn > 0)
            summary(rec.side, rec.conn);
    }
    for (const Event &e : session.events.events()) {
        if (e.conn == 0)
            continue; // the listener
        Summary &s = summary(e.side, e.conn);
        const Key key{quint8(e.side), e.conn};
        switch (e.kind) {
        case EventKind::Send:
            s.bytesSent += e.bytes;
            break;
        case EventKind::Recv:
            s.bytesReceived += e.bytes;
            break;
        case EventKind::Shutdown:
            s.teardown << QStringLiteral("shutdown %1").arg(howName(e.how));
            s.teardownKeys << s.teardown.last();
            break;
        case EventKind::Eof:
            s.teardown << QStringLiteral("eof");
            s.teardownKeys << s.teardown.last();
            break;
        case EventKind::Rst:
            // A RST of this end's own follows from its close or abort (compared already), and
            // recordings from before origin do not have it.
            if (e.origin == RstOrigin::Local)
                break;
            s.teardown << (e.err != 0 ? QStringLiteral("rst (%1)").arg(errnoName(e.err))
                                      : QStringLiteral("rst"));
            s.teardownKeys << QStringLiteral("rst");
            break;
        case EventKind::Close:
        case EventKind::Abort:
            s.teardown << kindName(e.kind);
            s.teardownKeys << s.teardown.last();
            closed[key] = true;
            break;
        case EventKind::State:
            // After close only the kernel-table lookup the close itself made counts; the later
            // polls depend on how long the process lived on.
            if (closed[key]) {
                if (lookedUp[key])
                    break;
                lookedUp[key] = true;
            }
            if (comparedState(e.state))
                appendCollapsed(&s.states, stateName(e.state));
            break;
        default:
            break;
        }
    }
    QList<Summary> out;
    for (const auto &[key, s] : ends)
        out.append(s);
    return out;
}

void SessionComparison::compare(const Summary *a, const Summary *b, Side side, quint32 conn)
{
    const QString end = endName(side, conn);
    const auto differ = [&](const QString &text) { m_differences.append({side, conn, text}); };
    if (!a || !b) {
        differ(QStringLiteral("%1: only in the %2").arg(end, a ? m_firstName : m_secondName));
        return;
    }
    if (a->teardownKeys != b->teardownKeys) {
        differ(
            QStringLiteral("%1: %2 saw %3; %4 saw %5")
                .arg(end, m_firstName, sequence(a->teardown), m_secondName, sequence(b->teardown)));
    }
    if (a->states != b->states) {
        differ(QStringLiteral("%1 states: %2 saw %3; %4 saw %5")
                   .arg(end, m_firstName, sequence(a->states), m_secondName, sequence(b->states)));
    }
    if (a->bytesSent != b->bytesSent) {
        differ(QStringLiteral("%1 sent: %2 bytes in the %3, %4 in the %5")
                   .arg(end)
                   .arg(a->bytesSent)
                   .arg(m_firstName)
                   .arg(b->bytesSent)
                   .arg(m_secondName));
    }
    if (a->bytesReceived != b->bytesReceived) {
        differ(QStringLiteral("%1 received: %2 bytes in the %3, %4 in the %5")
                   .arg(end)
                   .arg(a->bytesReceived)
                   .arg(m_firstName)
                   .arg(b->bytesReceived)
                   .arg(m_secondName));
    }
}

QString SessionComparison::report() const
{
    if (m_differences.isEmpty())
        return QStringLiteral("equivalent to the %1").arg(m_firstName);
    QStringList lines;
    for (const Difference &d : m_differences)
        lines << d.text;
    return lines.join(u'\n');
}

} // namespace finscope
