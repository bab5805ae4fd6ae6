#include "render/timelinemodel.h"

#include <algorithm>

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
    m_startNs = m_endNs = 0;
    m_hasSpan = false;
    update();
}

int TimelineModel::laneOf(Side side, quint32 conn) const
{
    for (size_t i = 0; i < m_lanes.size(); ++i) {
        if (m_lanes[i].side == side && m_lanes[i].conn == conn)
            return int(i);
    }
    return -1;
}

int TimelineModel::ensureLane(Side side, quint32 conn)
{
    const int existing = laneOf(side, conn);
    if (existing >= 0)
        return existing;
    TimelineLane lane;
    lane.side = side;
    lane.conn = conn;
    // Clients first, then the server's listener and connections, each by number.
    const auto before = [&](const TimelineLane &l) {
        return std::pair(int(l.side), l.conn) > std::pair(int(side), conn);
    };
    const auto at = std::find_if(m_lanes.begin(), m_lanes.end(), before);
    const int index = int(at - m_lanes.begin());
    for (TimelineLane &l : m_lanes) {
        if (l.peer >= index)
            ++l.peer;
    }
    m_lanes.insert(at, std::move(lane));
    return index;
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
    const QList<EndpointRecord> &endpoints = m_session->endpoints;
    for (const EndpointRecord &a : endpoints) {
        if (a.side != Side::Client || a.localAddress.isEmpty())
            continue;
        for (const EndpointRecord &b : endpoints) {
            if (b.side == Side::Server && b.conn != 0 && b.peerAddress == a.localAddress
                && b.localAddress == a.peerAddress) {
                const int la = laneOf(a.side, a.conn);
                if (la >= 0 && m_lanes[size_t(la)].peer >= 0)
                    break; // joined on an earlier update
                setPeers(a.side, a.conn, b.side, b.conn);
            }
        }
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
            lane.sendBytes.push_back(lane.sendBytes.back() + e.bytes);
            break;
        case EventKind::Recv:
            if (lane.recvBytes.empty())
                lane.recvBytes.push_back(0);
            lane.recvs.push_back(i);
            lane.recvBytes.push_back(lane.recvBytes.back() + e.bytes);
            break;
        default:
            lane.others.push_back(i);
        }
    }
    m_indexed = qsizetype(events.size());
    linkPeers();
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
            out.push_back({kind,
                           x,
                           scale.x(time(*(end - 1))),
                           prefix[b] - prefix[a],
                           int(b - a),
                           *it,
                           *(end - 1)});
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
