#include "render/timelinemodel.h"

#include "engine/core/saturating.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace finscope {

TimelineModel::TimelineModel(const Session *session)
{
    setSession(session);
}

void TimelineModel::setSession(const Session *session)
{
    m_session = session;
    m_indexed = 0;
    m_lanes.clear();
    m_laneIndex.clear();
    m_lanesSorted = true;
    m_startNs = m_endNs = 0;
    m_hasSpan = false;
    update();
}

namespace {

quint64 laneKey(Side side, quint32 conn)
{
    return quint64(quint8(side)) << 32 | conn;
}

} // namespace

int TimelineModel::laneOf(Side side, quint32 conn) const
{
    return m_laneIndex.value(laneKey(side, conn), -1);
}

int TimelineModel::ensureLane(Side side, quint32 conn)
{
    const int existing = laneOf(side, conn);
    if (existing >= 0)
        return existing;
    TimelineLane lane;
    lane.side = side;
    lane.conn = conn;
    const int index = int(m_lanes.size());
    const auto after = [&](const TimelineLane &l) {
        return std::pair(int(l.side), l.conn) < std::pair(int(side), conn);
    };
    if (!m_lanes.empty() && !after(m_lanes.back()))
        m_lanesSorted = false;
    m_lanes.push_back(std::move(lane));
    m_laneIndex.insert(laneKey(side, conn), index);
    return index;
}

void TimelineModel::sortLanes()
{
    if (m_lanesSorted)
        return;
    m_lanesSorted = true;
    std::vector<int> order(m_lanes.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const TimelineLane &la = m_lanes[size_t(a)];
        const TimelineLane &lb = m_lanes[size_t(b)];
        return std::pair(int(la.side), la.conn) < std::pair(int(lb.side), lb.conn);
    });
    std::vector<int> newIndex(m_lanes.size());
    for (size_t i = 0; i < order.size(); ++i)
        newIndex[size_t(order[i])] = int(i);
    std::vector<TimelineLane> sorted;
    sorted.reserve(m_lanes.size());
    for (const int from : order)
        sorted.push_back(std::move(m_lanes[size_t(from)]));
    m_lanes = std::move(sorted);
    for (size_t i = 0; i < m_lanes.size(); ++i) {
        TimelineLane &lane = m_lanes[i];
        if (lane.peer >= 0)
            lane.peer = newIndex[size_t(lane.peer)];
        m_laneIndex.insert(laneKey(lane.side, lane.conn), int(i));
    }
}

void TimelineModel::setPeers(Side a, quint32 connA, Side b, quint32 connB)
{
    const int la = ensureLane(a, connA);
    const int lb = ensureLane(b, connB);
    m_lanes[size_t(la)].peer = lb;
    m_lanes[size_t(lb)].peer = la;
}

void TimelineModel::linkPeers()
{
    // Each server end by its two addresses, the first one kept when a pair repeats (a port
    // reused later in the session): a lookup per client instead of a scan of every end.
    const QList<EndpointRecord> &endpoints = m_session->endpoints;
    QHash<std::pair<QString, QString>, quint32> servers;
    servers.reserve(endpoints.size());
    for (const EndpointRecord &b : endpoints) {
        if (b.side == Side::Server && b.conn != 0) {
            const std::pair<QString, QString> key{b.peerAddress, b.localAddress};
            if (!servers.contains(key))
                servers.insert(key, b.conn);
        }
    }
    for (const EndpointRecord &a : endpoints) {
        if (a.side != Side::Client || a.localAddress.isEmpty())
            continue;
        const auto b = servers.constFind({a.localAddress, a.peerAddress});
        if (b == servers.cend())
            continue;
        const int la = laneOf(a.side, a.conn);
        if (la >= 0 && m_lanes[size_t(la)].peer >= 0)
            continue; // joined on an earlier update
        setPeers(a.side, a.conn, Side::Server, *b);
    }
}

bool TimelineModel::update()
{
    if (!m_session)
        return false;
    const size_t lanesBefore = m_lanes.size();
    const auto &events = m_session->events.events();
    int lastLane = -1;
    for (qsizetype i = m_indexed; i < qsizetype(events.size()); ++i) {
        const Event &e = events[size_t(i)];
        // The listening socket is not a connection end: its events are in the table only.
        if (e.side == Side::Server && e.conn == 0)
            continue;
        if (!m_hasSpan) {
            m_startNs = m_endNs = e.tNs;
            m_hasSpan = true;
        }
        if (lastLane < 0 || m_lanes[size_t(lastLane)].side != e.side
            || m_lanes[size_t(lastLane)].conn != e.conn) {
            lastLane = ensureLane(e.side, e.conn);
        }
        TimelineLane &lane = m_lanes[size_t(lastLane)];
        m_startNs = std::min(m_startNs, e.tNs);
        m_endNs = std::max(m_endNs, e.tNs);
        switch (e.kind) {
        case EventKind::State: {
            TimelineLane::Segment segment{e.tNs, e.state};
            if (e.state == TcpState::TimeWait) {
                segment.endKnown = e.expiresMs >= 0;
                segment.endNs = e.tNs + std::max<qint64>(e.expiresMs, 0) * 1'000'000;
            }
            lane.states.push_back(segment);
            break;
        }
        case EventKind::Queue:
            break;
        case EventKind::Send:
            if (lane.sendBytes.empty())
                lane.sendBytes.push_back(0);
            lane.sends.push_back(i);
            lane.sendBytes.push_back(saturatingAdd(lane.sendBytes.back(), e.bytes));
            break;
        case EventKind::Recv:
            if (lane.recvBytes.empty())
                lane.recvBytes.push_back(0);
            lane.recvs.push_back(i);
            lane.recvBytes.push_back(saturatingAdd(lane.recvBytes.back(), e.bytes));
            break;
        default:
            lane.others.push_back(i);
        }
    }
    m_indexed = qsizetype(events.size());
    linkPeers();
    sortLanes();
    return m_lanes.size() != lanesBefore;
}

qint64 TimelineModel::segmentEndNs(const TimelineLane &lane, size_t segment) const
{
    const TimelineLane::Segment &s = lane.states[segment];
    // A later state was seen (the entry seen gone): that is where it ended, even when the timer
    // wheel fired a little after the recorded expiry.
    if (segment + 1 < lane.states.size())
        return lane.states[segment + 1].startNs;
    return std::max(s.endNs >= 0 ? std::min(m_endNs, s.endNs) : m_endNs, s.startNs);
}

std::vector<TimelineMark> TimelineModel::marks(
    int laneIndex, const TimeScale &scale, double x0, double x1, double mergePx) const
{
    std::vector<TimelineMark> out;
    const EventStore *store = this->store();
    if (!store || laneIndex < 0 || laneIndex >= int(m_lanes.size()))
        return out;
    const TimelineLane &lane = m_lanes[size_t(laneIndex)];
    const auto &events = store->events();
    const qint64 t0 = scale.t(x0 - mergePx);
    const qint64 t1 = scale.t(x1 + mergePx);
    const auto time = [&](qsizetype i) { return events[size_t(i)].tNs; };
    // Data: each mark jumps to the first event past its merge span.
    const auto data = [&](const std::vector<qsizetype> &index,
                          const std::vector<qint64> &prefix,
                          EventKind kind) {
        auto it = std::lower_bound(
            index.begin(), index.end(), t0, [&](qsizetype i, qint64 t) { return time(i) < t; });
        while (it != index.end() && time(*it) <= t1) {
            const double x = scale.x(time(*it));
            const qint64 spanEnd = scale.t(x + mergePx);
            auto end = std::upper_bound(
                it, index.end(), spanEnd, [&](qint64 t, qsizetype i) { return t < time(i); });
            if (end == it)
                ++end;
            const size_t a = size_t(it - index.begin());
            const size_t b = size_t(end - index.begin());
            // A saturated total is known only to be at least that much: the difference would
            // read as nothing.
            const qint64 bytes = prefix[b] == std::numeric_limits<qint64>::max()
                                     ? prefix[b]
                                     : prefix[b] - prefix[a];
            out.push_back({kind, x, scale.x(time(*(end - 1))), bytes, int(b - a), *it, *(end - 1)});
            it = end;
        }
    };
    data(lane.sends, lane.sendBytes, EventKind::Send);
    data(lane.recvs, lane.recvBytes, EventKind::Recv);
    // Glyphs are few: merge only neighbours of the same kind.
    auto it
        = std::lower_bound(lane.others.begin(), lane.others.end(), t0, [&](qsizetype i, qint64 t) {
              return time(i) < t;
          });
    const size_t glyphsFrom = out.size();
    for (; it != lane.others.end() && time(*it) <= t1; ++it) {
        const Event &e = events[size_t(*it)];
        const double x = scale.x(e.tNs);
        if (out.size() > glyphsFrom) {
            TimelineMark &m = out.back();
            if (m.kind == e.kind && x - m.x0 < mergePx) {
                m.x1 = x;
                ++m.count;
                m.last = *it;
                continue;
            }
        }
        out.push_back({e.kind, x, x, e.bytes, 1, *it, *it});
    }
    std::sort(out.begin(), out.end(), [](const TimelineMark &a, const TimelineMark &b) {
        return a.x0 < b.x0;
    });
    return out;
}

qsizetype TimelineModel::matchingRecv(qsizetype sendIndex) const
{
    const Event &send = m_session->events.at(sendIndex);
    const int lane = laneOf(send.side, send.conn);
    if (lane < 0 || m_lanes[size_t(lane)].peer < 0)
        return -1;
    const TimelineLane &peer = m_lanes[size_t(m_lanes[size_t(lane)].peer)];
    const auto &events = m_session->events.events();
    // The last recv that starts at or before the send's first byte.
    auto it = std::upper_bound(
        peer.recvs.begin(), peer.recvs.end(), send.offset, [&](qint64 off, qsizetype i) {
            return off < events[size_t(i)].offset;
        });
    if (it == peer.recvs.begin())
        return -1;
    const Event &recv = events[size_t(*std::prev(it))];
    return send.offset < recv.offset + recv.bytes ? *std::prev(it) : -1;
}

qsizetype TimelineModel::matchingEof(qsizetype finIndex) const
{
    const Event &fin = m_session->events.at(finIndex);
    const int lane = laneOf(fin.side, fin.conn);
    if (lane < 0 || m_lanes[size_t(lane)].peer < 0)
        return -1;
    const TimelineLane &peer = m_lanes[size_t(m_lanes[size_t(lane)].peer)];
    for (const qsizetype i : peer.others) {
        const Event &e = m_session->events.at(i);
        if (e.kind == EventKind::Eof && e.tNs >= fin.tNs)
            return i;
    }
    return -1;
}

qsizetype
TimelineModel::eventNear(int lane, const TimeScale &scale, double x, double tolerancePx) const
{
    qsizetype best = -1;
    double bestDistance = tolerancePx;
    for (const TimelineMark &m : marks(lane, scale, x - tolerancePx, x + tolerancePx, 0.0)) {
        const double d = std::abs(m.x0 - x);
        if (d <= bestDistance) {
            bestDistance = d;
            best = m.first;
        }
    }
    return best;
}

} // namespace finscope
