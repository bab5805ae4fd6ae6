#include "engine/scenarios/scenariofacts.h"

#include "engine/session/eventformat.h"
#include "engine/session/session.h"

namespace finscope::facts {

namespace {

QString what(Side side, EventKind kind)
{
    return QStringLiteral("%1 %2").arg(sideName(side), kindName(kind));
}

const Event *firstOf(const ScenarioOutcome &o, Side side, EventKind kind)
{
    for (const Event &e : o.session->events.events()) {
        if (e.side == side && e.kind == kind)
            return &e;
    }
    return nullptr;
}

QString stepName(const ScenarioOutcome &o, int step)
{
    Q_UNUSED(o);
    return QStringLiteral("step %1").arg(step + 1);
}

} // namespace

QString seconds(qint64 ns)
{
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 6);
}

QList<Event>
eventsOf(const ScenarioOutcome &o, Side side, EventKind kind, qint64 fromNs, qint64 toNs)
{
    QList<Event> out;
    for (const Event &e : o.session->events.events()) {
        if (e.side == side && e.kind == kind && e.tNs >= fromNs && e.tNs < toNs)
            out.append(e);
    }
    return out;
}

qint64 stepStart(const ScenarioOutcome &o, int step)
{
    return step >= 0 && step < o.stepStartNs.size() ? o.stepStartNs.at(step) : -1;
}

QString describe(const ScenarioOutcome &o, const Event &e)
{
    const QString details = formatEventDetails(e, o.session->events);
    QString out = QStringLiteral("%1 %2").arg(sideName(e.side), kindName(e.kind));
    if (!details.isEmpty())
        out += u' ' + details;
    return out + QStringLiteral(" at ") + seconds(e.tNs);
}

ScenarioFact endsByTimeout(const QString &sentence)
{
    return {sentence, [](const ScenarioOutcome &o) -> FactResult {
                return {o.timedOut,
                        o.timedOut ? QStringLiteral("the time bound ended the run")
                                   : QStringLiteral("every step finished on its own")};
            }};
}

ScenarioFact finishesOnItsOwn(const QString &sentence)
{
    return {sentence, [](const ScenarioOutcome &o) -> FactResult {
                QStringList pending;
                for (int i = 0; i < o.stepEndNs.size(); ++i) {
                    if (o.stepEndNs.at(i) < 0)
                        pending << QString::number(i + 1);
                }
                if (!o.timedOut && pending.isEmpty())
                    return {true, QStringLiteral("every step finished")};
                return {false,
                        QStringLiteral("%1; steps never finished: %2")
                            .arg(o.timedOut ? QStringLiteral("the time bound ended the run")
                                            : QStringLiteral("the run was stopped"),
                                 pending.join(QStringLiteral(", ")))};
            }};
}

ScenarioFact happens(const QString &sentence, Side side, EventKind kind)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                if (const Event *e = firstOf(o, side, kind))
                    return {true, describe(o, *e)};
                return {false, QStringLiteral("no %1").arg(what(side, kind))};
            }};
}

ScenarioFact never(const QString &sentence, Side side, EventKind kind)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                if (const Event *e = firstOf(o, side, kind))
                    return {false, describe(o, *e)};
                return {true, QStringLiteral("no %1 within the run").arg(what(side, kind))};
            }};
}

ScenarioFact before(const QString &sentence, Side a, EventKind ka, Side b, EventKind kb)
{
    return {
        sentence, [=](const ScenarioOutcome &o) -> FactResult {
            const Event *first = firstOf(o, a, ka);
            const Event *second = firstOf(o, b, kb);
            if (!first || !second) {
                QStringList missing;
                if (!first)
                    missing << what(a, ka);
                if (!second)
                    missing << what(b, kb);
                return {false,
                        QStringLiteral("no %1").arg(missing.join(QStringLiteral(" and no ")))};
            }
            // The store is in recording order, so addresses order the events.
            const bool held = first < second;
            return {held, QStringLiteral("%1, %2").arg(describe(o, *first), describe(o, *second))};
        }};
}

ScenarioFact afterStep(const QString &sentence, Side side, EventKind kind, int step)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const qint64 from = stepStart(o, step);
                if (from < 0)
                    return {false, QStringLiteral("%1 never started").arg(stepName(o, step))};
                const QList<Event> found = eventsOf(o, side, kind, from);
                if (found.isEmpty())
                    return {false,
                            QStringLiteral("no %1 after %2 started at %3")
                                .arg(what(side, kind), stepName(o, step), seconds(from))};
                return {true, describe(o, found.first())};
            }};
}

ScenarioFact
noneBetweenSteps(const QString &sentence, Side side, EventKind kind, int fromStep, int toStep)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const qint64 from = stepStart(o, fromStep);
                const qint64 to
                    = toStep < 0 ? std::numeric_limits<qint64>::max() : stepStart(o, toStep);
                if (from < 0 || to < 0)
                    return {false,
                            QStringLiteral("%1 never started")
                                .arg(stepName(o, from < 0 ? fromStep : toStep))};
                const QList<Event> found = eventsOf(o, side, kind, from, to);
                const QString span
                    = toStep < 0 ? QStringLiteral("from %1 to the end").arg(stepName(o, fromStep))
                                 : QStringLiteral("between %1 and %2 (%3)")
                                       .arg(stepName(o, fromStep),
                                            stepName(o, toStep),
                                            seconds(to - from));
                if (!found.isEmpty())
                    return {false, QStringLiteral("%1 %2").arg(describe(o, found.first()), span)};
                return {true, QStringLiteral("no %1 %2").arg(what(side, kind), span)};
            }};
}

ScenarioFact kernelErrno(const QString &sentence, Side side, int err, int step)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const qint64 from = stepStart(o, step);
                if (from < 0)
                    return {false, QStringLiteral("%1 never started").arg(stepName(o, step))};
                const QList<Event> errors = eventsOf(o, side, EventKind::Error, from);
                for (const Event &e : errors) {
                    if (e.err == err)
                        return {true, describe(o, e)};
                }
                if (!errors.isEmpty())
                    return {false, describe(o, errors.first())};
                return {
                    false,
                    QStringLiteral("no %1 error after %2").arg(sideName(side), stepName(o, step))};
            }};
}

ScenarioFact resetWith(const QString &sentence, Side side, int err)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const Event *rst = firstOf(o, side, EventKind::Rst);
                if (!rst)
                    return {false, QStringLiteral("no %1 rst").arg(sideName(side))};
                return {rst->err == err, describe(o, *rst)};
            }};
}

ScenarioFact closeFindsUnread(const QString &sentence, Side side)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const Event *close = firstOf(o, side, EventKind::Close);
                if (!close)
                    return {false, QStringLiteral("no %1 close").arg(sideName(side))};
                return {close->bytes > 0, describe(o, *close)};
            }};
}

ScenarioFact reachesState(const QString &sentence, Side side, TcpState state)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                QStringList seen;
                for (const Event &e : eventsOf(o, side, EventKind::State)) {
                    if (e.state == state)
                        return {true, describe(o, e)};
                    seen << stateName(e.state);
                }
                return {false,
                        QStringLiteral("%1 states: %2")
                            .arg(sideName(side),
                                 seen.isEmpty() ? QStringLiteral("none")
                                                : seen.join(QStringLiteral(" -> ")))};
            }};
}

ScenarioFact neverState(const QString &sentence, Side side, TcpState state)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                QStringList seen;
                for (const Event &e : eventsOf(o, side, EventKind::State)) {
                    if (e.state == state)
                        return {false, describe(o, e)};
                    seen << stateName(e.state);
                }
                return {true,
                        QStringLiteral("%1 states: %2")
                            .arg(sideName(side),
                                 seen.isEmpty() ? QStringLiteral("none")
                                                : seen.join(QStringLiteral(" -> ")))};
            }};
}

ScenarioFact finalState(const QString &sentence, Side side, TcpState state)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                const QList<Event> states = eventsOf(o, side, EventKind::State);
                if (states.isEmpty())
                    return {false, QStringLiteral("no %1 state recorded").arg(sideName(side))};
                return {states.last().state == state,
                        QStringLiteral("last %1").arg(describe(o, states.last()))};
            }};
}

ScenarioFact sendQueuesAbove(const QString &sentence, qint64 bytes)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                bool held = true;
                QStringList seen;
                for (const Side side : {Side::Client, Side::Server}) {
                    const QList<Event> queues = eventsOf(o, side, EventKind::Queue);
                    // Facts are judged before the runner closes what is still open, so the last
                    // sample is the queues as they stand at the stall.
                    const Event *last = queues.isEmpty() ? nullptr : &queues.last();
                    if (!last) {
                        held = false;
                        seen << QStringLiteral("no %1 queue sample").arg(sideName(side));
                        continue;
                    }
                    held = held && last->outq > bytes;
                    seen << QStringLiteral("%1 outq=%2 inq=%3 userq=%4 at %5")
                                .arg(sideName(side))
                                .arg(last->outq)
                                .arg(last->inq)
                                .arg(last->bytes)
                                .arg(seconds(last->tNs));
                }
                return {held, seen.join(QStringLiteral("; "))};
            }};
}

ScenarioFact receivedBytes(const QString &sentence, Side side, qint64 bytes)
{
    return {sentence, [=](const ScenarioOutcome &o) -> FactResult {
                qint64 total = 0;
                for (const Event &e : eventsOf(o, side, EventKind::Recv))
                    total += e.bytes;
                return {total == bytes,
                        QStringLiteral("%1 read %2 bytes").arg(sideName(side)).arg(total)};
            }};
}

} // namespace finscope::facts
