#pragma once

// What the timeline draws, derived from a Session: a lane per connection end (the listening
// socket has none), each lane's drawable events and TCP state segments, marks that merge events
// too close to tell apart at the current zoom, and the peer lane for arrows, found from the
// session's endpoint addresses. No widget: the painter and the tests both use it.

#include "engine/core/eventstore.h"
#include "engine/session/session.h"
#include "render/timescale.h"

#include <QHash>

#include <optional>
#include <vector>

namespace finscope {

struct TimelineLane
{
    Side side = Side::Client;
    quint32 conn = 0;
    // Indices into the store, each in time order. Data is kept apart from the rare glyph events so
    // a dense span is merged by binary search, with byte totals from the prefix sums.
    std::vector<qsizetype> sends;
    std::vector<qsizetype> recvs;  // also in stream order, for matching a send to its recv
    std::vector<qint64> sendBytes; // sendBytes[i] = bytes of sends[0..i)
    std::vector<qint64> recvBytes;
    std::vector<qsizetype> others; // every drawable event that is not data, state or queue
    struct Segment
    {
        qint64 startNs;
        TcpState state;
        // Where the band ends when no later state was seen: TIME_WAIT ends when the kernel's
        // recorded timer drops the entry, or, with no timer recorded, where it was last seen
        // (endKnown false, drawn so). -1: runs to the end of the session.
        qint64 endNs = -1;
        bool endKnown = true;
    };
    std::vector<Segment> states;
    int peer = -1; // the lane of the other end, when both ends are in this session
};

// One drawn item: a single event, or several of one kind that fall within a few pixels.
struct TimelineMark
{
    EventKind kind = EventKind::Send;
    double x0 = 0;
    double x1 = 0;
    qint64 bytes = 0;
    int count = 0;
    qsizetype first = -1;
    qsizetype last = -1;
};

class TimelineModel
{
public:
    // The session is not owned and must outlive the model (or be replaced first).
    explicit TimelineModel(const Session *session = nullptr);

    void setSession(const Session *session);
    const Session *session() const { return m_session; }
    const EventStore *store() const { return m_session ? &m_session->events : nullptr; }
    // Indexes events appended since the last call and joins the ends that became peers (a live
    // session learns its addresses as connections open). Returns true when lanes were added.
    bool update();

    const std::vector<TimelineLane> &lanes() const { return m_lanes; }
    int laneOf(Side side, quint32 conn) const;
    qint64 startNs() const { return m_startNs; }
    qint64 endNs() const { return m_endNs; }

    // The lane's marks between pixels x0 and x1, merging same-kind events closer than mergePx,
    // sorted by x. The cost grows with the number of marks, not of events.
    std::vector<TimelineMark>
    marks(int lane, const TimeScale &scale, double x0, double x1, double mergePx) const;
    // Where a state band ends on the time axis: the next segment's start, else the kernel's drop
    // of a TIME_WAIT entry or the end of the session, whichever comes first.
    qint64 segmentEndNs(const TimelineLane &lane, size_t segment) const;
    // The peer's recv event holding the first byte of this send, or -1.
    qsizetype matchingRecv(qsizetype sendIndex) const;
    // The peer's EOF that answers this shutdown (wr or rdwr) or close, or -1.
    qsizetype matchingEof(qsizetype finIndex) const;
    // The event whose mark is nearest x within tolerance, or -1.
    qsizetype eventNear(int lane, const TimeScale &scale, double x, double tolerancePx) const;

private:
    // Adds a lane at the end (sorted later by sortLanes), so that 100,000 connections cost
    // n log n, not a shift of every later lane for each new one.
    int ensureLane(Side side, quint32 conn);
    // Clients first, then the server's connections, each by number; peers and the index follow.
    void sortLanes();
    // A client and a server end are peers when each one's local address is the other's peer
    // address.
    void linkPeers();
    void setPeers(Side a, quint32 connA, Side b, quint32 connB);

    const Session *m_session = nullptr;
    qsizetype m_indexed = 0;
    std::vector<TimelineLane> m_lanes;
    QHash<quint64, int> m_laneIndex; // side and conn -> lane
    bool m_lanesSorted = true;
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
    bool m_hasSpan = false; // lanes can exist (peers) before their first event is indexed
};

} // namespace finscope
