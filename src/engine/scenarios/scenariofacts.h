#pragma once

// Builders for the facts scenarios expect, each a real check over the recorded events that can
// fail and says what it saw. The sentence is the scenario's own wording.

#include "engine/core/event.h"
#include "engine/scenarios/scenariofact.h"

#include <limits>

namespace finscope::facts {

// --- building blocks for facts a builder below does not cover -------------------------------

// The events of one side and kind with from <= t_ns < to, in order.
QList<Event> eventsOf(const ScenarioOutcome &outcome,
                      Side side,
                      EventKind kind,
                      qint64 fromNs = -1,
                      qint64 toNs = std::numeric_limits<qint64>::max());
// When a step started, or -1.
qint64 stepStart(const ScenarioOutcome &outcome, int step);
// "server eof at 0.012345 s", "client error EPIPE at ...": for observed texts.
QString describe(const ScenarioOutcome &outcome, const Event &event);
QString seconds(qint64 ns);

// --- how the run ends -----------------------------------------------------------------------

ScenarioFact endsByTimeout(const QString &sentence);
ScenarioFact finishesOnItsOwn(const QString &sentence);

// --- events ---------------------------------------------------------------------------------

ScenarioFact happens(const QString &sentence, Side side, EventKind kind);
ScenarioFact never(const QString &sentence, Side side, EventKind kind);
// Both happen, and the first a-event comes before the first b-event.
ScenarioFact before(const QString &sentence, Side a, EventKind ka, Side b, EventKind kb);
// An event of this kind once the step has started.
ScenarioFact afterStep(const QString &sentence, Side side, EventKind kind, int step);
// Both steps started and no event of this kind came between their starts; toStep -1 means up to
// the end of the run.
ScenarioFact
noneBetweenSteps(const QString &sentence, Side side, EventKind kind, int fromStep, int toStep);
// An error event with this errno after the step started: the errno is the kernel's answer.
ScenarioFact kernelErrno(const QString &sentence, Side side, int err, int step);
// The first rst carries this errno.
ScenarioFact resetWith(const QString &sentence, Side side, int err);
// The first close found unread bytes (so the kernel sent RST instead of FIN).
ScenarioFact closeFindsUnread(const QString &sentence, Side side);

// --- TCP state and queues -------------------------------------------------------------------

ScenarioFact reachesState(const QString &sentence, Side side, TcpState state);
ScenarioFact neverState(const QString &sentence, Side side, TcpState state);
// The last state recorded for the side.
ScenarioFact finalState(const QString &sentence, Side side, TcpState state);
// The last queue sample of both ends (where a stalled run stands) shows more than `bytes` in
// the kernel's send queue.
ScenarioFact sendQueuesAbove(const QString &sentence, qint64 bytes);

// --- bytes ----------------------------------------------------------------------------------

// Exactly this many bytes were read by the side's application.
ScenarioFact receivedBytes(const QString &sentence, Side side, qint64 bytes);

} // namespace finscope::facts
