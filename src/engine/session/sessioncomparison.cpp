#include "engine/session/sessioncomparison.h"

#include "engine/core/action.h"
#include "engine/core/saturating.h"

#include <QHash>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

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

QStringList withoutEof(QStringList keys)
{
    keys.removeAll(QStringLiteral("eof"));
    return keys;
}

// For each end of the session whose close order raced, how far apart the two FINs were. The
// peer's FIN is the peer end's own when the session holds both ends of the connection (matched
// by address), else when this end learnt of it (CLOSE_WAIT, EOF, or CLOSING or TIME_WAIT
// after its own FIN).
std::map<Key, qint64> racedEnds(const Session &session,
                                const QList<SessionComparison::Summary> &summaries)
{
    std::map<Key, const SessionComparison::Summary *> byKey;
    for (const SessionComparison::Summary &s : summaries)
        byKey[{quint8(s.side), s.conn}] = &s;
    // Each end by its two addresses, so that its peer is one lookup away: a scan of every end
    // for each one took minutes at 100,000 connections. The last end with a pair of addresses
    // wins, as it did when they were scanned.
    QHash<std::pair<quint8, std::pair<QString, QString>>, Key> byAddresses;
    for (const EndpointRecord &b : session.endpoints) {
        if (b.conn > 0 && !b.peerAddress.isEmpty())
            byAddresses.insert({quint8(b.side), {b.localAddress, b.peerAddress}},
                               {quint8(b.side), b.conn});
    }
    std::map<Key, Key> peers;
    for (const EndpointRecord &a : session.endpoints) {
        if (a.conn == 0 || a.localAddress.isEmpty())
            continue;
        const quint8 other = quint8(a.side == Side::Client ? Side::Server : Side::Client);
        const auto b = byAddresses.constFind({other, {a.peerAddress, a.localAddress}});
        if (b != byAddresses.cend())
            peers[{quint8(a.side), a.conn}] = *b;
    }
    std::map<Key, qint64> out;
    for (const auto &[key, s] : byKey) {
        qint64 theirs = s->peerFinNs;
        const auto peer = peers.find(key);
        if (peer != peers.end() && byKey.count(peer->second))
            theirs = byKey[peer->second]->finNs;
        if (s->finNs >= 0 && theirs >= 0
            && std::abs(s->finNs - theirs) <= SessionComparison::RaceWindowNs) {
            out[key] = std::abs(s->finNs - theirs);
        }
    }
    return out;
}

// "\"HTTP/1.1 404\" (48 54 54 50 2f 31 2e 31 20 34 30 34)": the bytes from offset on.
QString excerpt(const QByteArray &data, qsizetype offset)
{
    if (offset >= data.size())
        return QStringLiteral("nothing (the stream ends there)");
    const QByteArray piece = data.mid(offset, SessionComparison::ExcerptBytes);
    const QString more = offset + piece.size() < data.size() ? QStringLiteral("...") : QString();
    return QStringLiteral("\"%1\"%2 (%3%2)")
        .arg(escapeBytes(piece), more, QString::fromLatin1(piece.toHex(' ')));
}

} // namespace

SessionComparison::SessionComparison(const Session &first,
                                     const Session &second,
                                     const QString &firstName,
                                     const QString &secondName,
                                     std::optional<Side> only,
                                     Options options)
    : m_firstName(firstName)
    , m_secondName(secondName)
    , m_options(options)
{
    std::map<Key, Summary> a;
    std::map<Key, Summary> b;
    const QList<Summary> firstSummaries = summarize(first);
    for (const Summary &s : firstSummaries)
        a[{quint8(s.side), s.conn}] = s;
    for (const Summary &s : summarize(second))
        b[{quint8(s.side), s.conn}] = s;
    // The first session is the reference (the recording, or A of a diff): its race is what
    // makes a flipped order no news. A race only in the second is a change of timing.
    for (const auto &[key, gapNs] : racedEnds(first, firstSummaries)) {
        m_raced[key] = QStringLiteral("the two FINs were %1 ms apart in the %2")
                           .arg(double(gapNs) / 1e6, 0, 'f', 2)
                           .arg(firstName);
    }
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
        if (m_options.payload && ia != a.end() && ib != b.end())
            comparePayload(first, second, side, key.second);
    }
}

QList<SessionComparison::Summary> SessionComparison::summarize(const Session &session)
{
    // One hash look-up per event (a std::map per flag took four tree walks), sorted at the end.
    struct End
    {
        Summary summary;
        bool closed = false;   // the close or abort was seen
        bool lookedUp = false; // and the state event after it too
        bool reset = false;    // a close after a reset sends no FIN
    };
    QHash<quint64, End> ends;
    End *end = nullptr;
    const auto summary = [&](Side side, quint32 conn) -> Summary & {
        end = &ends[quint64(quint8(side)) << 32 | conn];
        end->summary.side = side;
        end->summary.conn = conn;
        return end->summary;
    };
    for (const EndpointRecord &rec : session.endpoints) {
        if (rec.conn > 0)
            summary(rec.side, rec.conn);
    }
    for (const Event &e : session.events.events()) {
        if (e.conn == 0)
            continue; // the listener
        Summary &s = summary(e.side, e.conn);
        switch (e.kind) {
        case EventKind::Send:
            s.bytesSent = saturatingAdd(s.bytesSent, e.bytes);
            break;
        case EventKind::Recv:
            s.bytesReceived = saturatingAdd(s.bytesReceived, e.bytes);
            break;
        case EventKind::Shutdown:
            s.teardown << QStringLiteral("shutdown %1").arg(howName(e.how));
            s.teardownKeys << s.teardown.last();
            if (s.finNs < 0 && (e.how == ShutdownHow::Write || e.how == ShutdownHow::Both))
                s.finNs = e.tNs;
            break;
        case EventKind::Eof:
            s.teardown << QStringLiteral("eof");
            s.teardownKeys << s.teardown.last();
            if (s.peerFinNs < 0)
                s.peerFinNs = e.tNs;
            break;
        case EventKind::Rst:
            // A RST of this end's own that follows its close or abort is that close's consequence
            // (compared already; recordings from before origin do not have it). One sent while
            // the end is open (late data after SHUT_RD or SHUT_RDWR) is a teardown of its own.
            if (e.origin == RstOrigin::Local) {
                if (end->closed)
                    break;
                s.teardown << QStringLiteral("rst (local)");
                s.teardownKeys << s.teardown.last();
                end->reset = true;
                break;
            }
            s.teardown << (e.err != 0 ? QStringLiteral("rst (%1)").arg(errnoName(e.err))
                                      : QStringLiteral("rst"));
            s.teardownKeys << QStringLiteral("rst");
            end->reset = true;
            break;
        case EventKind::Close:
        case EventKind::Abort:
            s.teardown << kindName(e.kind);
            s.teardownKeys << s.teardown.last();
            // With unread bytes, or after a reset, a close sends no FIN; an abort never does.
            if (s.finNs < 0 && e.kind == EventKind::Close && e.bytes == 0 && !end->reset)
                s.finNs = e.tNs;
            end->closed = true;
            break;
        case EventKind::State:
            // CLOSING and TIME_WAIT come only once the peer's FIN is in (FIN_WAIT1 -> CLOSING,
            // FIN_WAIT2 -> TIME_WAIT): a closer that never read learns of it here, also from a
            // look-up after its close. A polled state says so no later than when it was seen.
            if ((e.state == TcpState::Closing || e.state == TcpState::TimeWait) && s.peerFinNs < 0)
                s.peerFinNs = e.tNs;
            // After close only the kernel-table lookup the close itself made counts; the later
            // polls (via poll; older files: any state after the first) depend on how long the
            // process lived on, or settled.
            if (end->closed) {
                if (end->lookedUp || e.via == Via::Poll)
                    break;
                end->lookedUp = true;
            }
            if (comparedState(e.state))
                appendCollapsed(&s.states, stateName(e.state));
            if (e.state == TcpState::CloseWait && s.peerFinNs < 0)
                s.peerFinNs = e.tNs;
            break;
        default:
            break;
        }
    }
    QList<Summary> out;
    out.reserve(ends.size());
    for (const End &e : std::as_const(ends))
        out.append(e.summary);
    std::sort(out.begin(), out.end(), [](const Summary &a, const Summary &b) {
        return std::pair(quint8(a.side), a.conn) < std::pair(quint8(b.side), b.conn);
    });
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
    // What a raced close order explains: the states that say who closed first, and where the
    // EOF falls among this end's own calls.
    const QString raced = m_raced.value({quint8(side), conn});
    const auto raceOr = [&](bool explained, const QString &text) {
        if (!explained || raced.isEmpty())
            differ(text);
        else if (m_options.strict)
            differ(QStringLiteral("%1 (who closed first raced: %2)").arg(text, raced));
        else
            m_races.append(
                {side, conn, QStringLiteral("%1 (who closed first raced: %2)").arg(text, raced)});
    };
    if (a->teardownKeys != b->teardownKeys) {
        // The EOF may move, not come or go: a peer that stopped closing is news.
        raceOr(
            withoutEof(a->teardownKeys) == withoutEof(b->teardownKeys)
                && a->teardownKeys.count(QStringLiteral("eof"))
                       == b->teardownKeys.count(QStringLiteral("eof")),
            QStringLiteral("%1: %2 saw %3; %4 saw %5")
                .arg(end, m_firstName, sequence(a->teardown), m_secondName, sequence(b->teardown)));
    }
    if (a->states != b->states) {
        raceOr(true,
               QStringLiteral("%1 states: %2 saw %3; %4 saw %5")
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

void SessionComparison::comparePayload(const Session &first,
                                       const Session &second,
                                       Side side,
                                       quint32 conn)
{
    for (const Direction direction : {Direction::Sent, Direction::Received}) {
        const PayloadStream *a = first.events.payloadStream(side, conn, direction);
        const PayloadStream *b = second.events.payloadStream(side, conn, direction);
        const QByteArray da = a ? a->data : QByteArray();
        const QByteArray db = b ? b->data : QByteArray();
        // Only as far as both kept: past the payload cap the bytes are counted, not known.
        const qsizetype common = std::min(da.size(), db.size());
        const auto mismatch = std::mismatch(da.cbegin(), da.cbegin() + common, db.cbegin());
        if (mismatch.first == da.cbegin() + common)
            continue; // the same as far as both go; a length difference is the byte count's
        const qsizetype offset = mismatch.first - da.cbegin();
        m_differences.append(
            {side,
             conn,
             QStringLiteral("%1 %2: the bytes differ from offset %3: %4 %5, %6 %7")
                 .arg(endName(side, conn),
                      direction == Direction::Sent ? QStringLiteral("sent")
                                                   : QStringLiteral("received"))
                 .arg(offset)
                 .arg(m_firstName, excerpt(da, offset), m_secondName, excerpt(db, offset))});
    }
}

QString SessionComparison::report() const
{
    QStringList lines;
    if (m_differences.isEmpty())
        lines << QStringLiteral("equivalent to the %1").arg(m_firstName);
    for (const Difference &d : m_differences)
        lines << d.text;
    for (const Difference &d : m_races)
        lines << QStringLiteral("race, not a difference: %1").arg(d.text);
    return lines.join(u'\n');
}

} // namespace finscope
