#include "engine/run/conductor.h"

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"

#include <algorithm>

namespace finscope {

namespace {

// ns / speed, saturated: a tiny speed on a long recorded gap (hours at 0.0001) waits longer than
// any run lasts, and must not overflow on the way (a double past qint64 is undefined when cast).
qint64 scaledNs(qint64 ns, double speed)
{
    constexpr double Limit = 4e18; // about 127 years, far below qint64's end
    const double scaled = double(ns) / speed;
    if (!(scaled < Limit)) // also NaN
        return qint64(Limit);
    return scaled > -Limit ? qint64(scaled) : -qint64(Limit);
}

} // namespace

Conductor::Conductor(QObject *parent)
    : QObject(parent)
{
    connect(&m_workbench, &Workbench::serverConnectionAdded, this, &Conductor::handleAccepted);
}

Conductor::~Conductor()
{
    // The runners use the workbench's endpoints and recorder, so they go before it does.
    for (const auto &end : m_ends) {
        end->gapTimer.stop();
        delete end->runner;
        end->runner = nullptr;
    }
}

void Conductor::addEnd(Side side, quint32 conn)
{
    if (findEnd(side, conn))
        return;
    auto end = std::make_unique<End>();
    end->side = side;
    end->conn = conn;
    end->gapTimer.setSingleShot(true);
    end->gapTimer.setTimerType(Qt::PreciseTimer);
    End *raw = end.get();
    connect(&end->gapTimer, &QTimer::timeout, this, [this, raw] { letGo(raw); });
    m_endIndex.insert(endKey(side, conn), raw);
    if (side == Side::Server)
        m_serverEnds.append(raw);
    m_ends.push_back(std::move(end));
}

void Conductor::addCue(const Cue &cue)
{
    addEnd(cue.side, cue.conn);
    End *end = findEnd(cue.side, cue.conn);
    m_cueLocal.append(int(end->cues.size()));
    m_cueStarted.append(false);
    end->cues.append(int(m_cues.size()));
    m_cues.append(cue);
}

QList<std::pair<Side, quint32>> Conductor::ends() const
{
    QList<std::pair<Side, quint32>> out;
    for (const auto &end : m_ends)
        out.append({end->side, end->conn});
    return out;
}

Conductor::End *Conductor::findEnd(Side side, quint32 conn) const
{
    return m_endIndex.value(endKey(side, conn), nullptr);
}

void Conductor::release()
{
    if (m_ended || m_released >= cueCount())
        return;
    const Cue &next = m_cues.at(m_released++);
    End *end = findEnd(next.side, next.conn);
    ++end->released;
    letGo(end);
    // The end of the cue now next may have been waiting there for a while.
    if (isCueWaiting())
        emit cueWaiting(m_released);
}

void Conductor::releaseAll()
{
    if (m_ended)
        return;
    m_released = cueCount();
    for (const auto &end : m_ends) {
        end->released = int(end->cues.size());
        letGo(end.get());
    }
}

bool Conductor::isCueWaiting() const
{
    if (m_ended || m_released >= cueCount())
        return false;
    const Cue &next = m_cues.at(m_released);
    const End *end = findEnd(next.side, next.conn);
    // An end's released cues are the first of its own, so the next one is its released-th.
    return end->runner && end->runner->heldIndex() == end->released;
}

void Conductor::setSpeed(double speed)
{
    m_speed = speed;
    for (const auto &end : m_ends)
        letGo(end.get());
}

// Hands the end's runner what it may run now: every released cue, or with gaps only the one it
// holds before, once its recorded moment (scaled) has come.
void Conductor::letGo(End *end)
{
    ActionRunner *runner = end->runner;
    if (m_ended || !runner)
        return;
    int allowed = end->released;
    if (m_speed > 0) {
        allowed = std::min(allowed, runner->released());
        const int local = runner->heldIndex();
        if (local >= 0 && local < end->released && local >= runner->released()) {
            const qint64 leftNs = gapLeftNs(end, local);
            // Timers may fire a little early; the timeout comes back here and checks again.
            if (leftNs > 0)
                end->gapTimer.start(int(std::min<qint64>((leftNs + 999'999) / 1'000'000, 1 << 30)));
            else
                allowed = local + 1;
        }
    }
    if (allowed != runner->released())
        runner->setReleased(allowed);
}

// How long cue `local` of the end still waits for its recorded gap (speed > 0). A blocking send
// that took a second in the recording may take 20 ms here: the gap after it is what a person
// or program waited, so it is kept from the moment the cue before finished here.
qint64 Conductor::gapLeftNs(End *end, int local)
{
    if (!end->started.isValid())
        end->started.start();
    if (local == 0)
        return 0;
    const Cue &cue = m_cues.at(end->cues.at(local));
    const Cue &before = m_cues.at(end->cues.at(local - 1));
    if (before.endNs >= 0 && end->lastFinishedLocal == local - 1) {
        const qint64 gapNs = std::max<qint64>(0, cue.tNs - before.endNs);
        return scaledNs(gapNs, m_speed) - end->lastFinished.nsecsElapsed();
    }
    // A session that does not say when the cue before ended: its recorded start, as then.
    const qint64 dueNs = scaledNs(cue.tNs - m_cues.at(end->cues.at(0)).tNs, m_speed);
    return dueNs - end->started.nsecsElapsed();
}

void Conductor::handleHeld(End *end, int local)
{
    if (m_ended)
        return;
    letGo(end);
    if (end->runner->heldIndex() == local && local == end->released && m_released < cueCount()
        && end->cues.value(local, -1) == m_released) {
        emit cueWaiting(m_released);
    }
}

Endpoint *Conductor::connectClient(quint32 conn, const QString &host, quint16 port)
{
    Endpoint *endpoint = m_workbench.connectClient(host, port);
    connect(endpoint, &Endpoint::connected, this, [this, conn, endpoint] {
        attach(Side::Client, conn, endpoint);
    });
    connect(endpoint, &Endpoint::connectFailed, this, [this](const QString &reason) {
        if (!m_ended)
            emit connectFailed(reason);
    });
    return endpoint;
}

void Conductor::handleAccepted(Endpoint *endpoint)
{
    if (m_ended) {
        endpoint->close(); // accepted after the plan ended
        return;
    }
    const QList<End *> &servers = m_serverEnds;
    const qsizetype index = m_accepted++;
    if (m_accepted >= servers.size())
        m_workbench.stopListening();
    if (index >= servers.size()) {
        endpoint->close(); // raced in before the listener closed
        return;
    }
    attach(Side::Server, servers.at(index)->conn, endpoint);
}

void Conductor::attach(Side side, quint32 conn, Endpoint *endpoint)
{
    End *end = findEnd(side, conn);
    if (m_ended || !end || end->endpoint) {
        endpoint->close(); // connected after the plan ended, or not part of it
        return;
    }
    end->endpoint = endpoint;
    QList<Action> actions;
    for (const int index : std::as_const(end->cues))
        actions.append(m_cues.at(index).action);
    auto *runner = new ActionRunner(endpoint, actions, this);
    for (qsizetype local = 0; local < end->cues.size(); ++local) {
        if (const auto &bytes = m_cues.at(end->cues.at(local)).recordedBytes)
            runner->setRecordedBytes(int(local), *bytes);
    }
    end->runner = runner;
    runner->setReleased(m_speed > 0 ? 0 : end->released);
    m_workbench.recorder()->attach(runner);
    connect(runner, &ActionRunner::held, this, [this, end](int local) { handleHeld(end, local); });
    connect(runner, &ActionRunner::actionStarted, this, [this, end](int local) {
        m_cueStarted[end->cues.at(local)] = true;
        emit cueStarted(end->cues.at(local));
    });
    connect(runner, &ActionRunner::actionFinished, this, [this, end](int local) {
        end->lastFinished.start();
        end->lastFinishedLocal = local;
        emit cueFinished(end->cues.at(local));
    });
    connect(runner, &ActionRunner::finished, this, &Conductor::progressed);
    connect(endpoint, &Endpoint::closed, this, &Conductor::progressed);
    runner->start();
    emit attached(side, conn);
}

Endpoint *Conductor::endpoint(Side side, quint32 conn) const
{
    const End *end = findEnd(side, conn);
    return end ? end->endpoint : nullptr;
}

// Asked at every runner's end and every close: with thousands of ends a scan from the start each
// time is quadratic. An end once settled stays settled, so the scan resumes where it stopped.
bool Conductor::isSettled() const
{
    for (; m_settledEnds < m_ends.size(); ++m_settledEnds) {
        const End *end = m_ends.at(m_settledEnds).get();
        if (!end->runner)
            return false;
        if (!end->runner->isFinished() && end->endpoint->status() == Endpoint::Status::Open)
            return false;
    }
    return true;
}

void Conductor::end()
{
    if (m_ended)
        return;
    m_ended = true;
    for (const auto &end : m_ends) {
        end->gapTimer.stop();
        if (end->runner)
            end->runner->setReleased(0);
    }
}

void Conductor::halt(const QString &reason)
{
    end();
    closeAll(reason);
}

void Conductor::closeAll(const QString &abandonReason)
{
    if (!abandonReason.isEmpty()) {
        for (Endpoint *endpoint : m_workbench.clients())
            endpoint->cancelConnect(abandonReason);
    }
    m_workbench.stopListening();
    for (const auto *list : {&m_workbench.clients(), &m_workbench.serverConnections()}) {
        for (Endpoint *endpoint : *list) {
            if (endpoint->isOpen())
                endpoint->close();
        }
    }
}

QStringList Conductor::failures() const
{
    QStringList out;
    for (const auto &end : m_ends) {
        if (end->runner)
            out += end->runner->failures();
    }
    return out;
}

QString Conductor::waitingFor() const
{
    for (const auto &end : m_ends) {
        if (!end->runner)
            return end->side == Side::Server
                       ? QStringLiteral("server connection %1 had not been accepted").arg(end->conn)
                       : QStringLiteral("client %1 had not connected").arg(end->conn);
        const ActionRunner *runner = end->runner;
        if (runner->isFinished() || !end->endpoint->isOpen())
            continue;
        const int held = runner->heldIndex();
        const int local = held >= 0 ? held : runner->currentIndex();
        if (local < 0 || local >= end->cues.size())
            continue;
        return QStringLiteral("%1 %2 %3 action %4 (%5)")
            .arg(sideName(end->side))
            .arg(end->conn)
            .arg(held >= 0 ? QStringLiteral("had not started") : QStringLiteral("was still in"))
            .arg(local + 1)
            .arg(m_cues.at(end->cues.at(local)).action.toString());
    }
    return QString();
}

QList<int> Conductor::unstartedCues() const
{
    QList<int> out;
    for (qsizetype i = 0; i < m_cueStarted.size(); ++i) {
        if (!m_cueStarted.at(i))
            out.append(int(i));
    }
    return out;
}

} // namespace finscope
