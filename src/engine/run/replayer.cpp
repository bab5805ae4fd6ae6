#include "engine/run/replayer.h"

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"

#include <algorithm>
#include <cmath>

namespace finscope {

namespace {

// "host:port" or "[v6]:port" as the recorder writes targets and addresses. The recorder also
// writes an IPv6 target unbracketed ("::1:5555"), so the port is what follows the last colon.
std::optional<std::pair<QString, quint16>> splitHostPort(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port == 0 || port > 65535 || host.isEmpty())
        return std::nullopt;
    return std::make_pair(host, quint16(port));
}

} // namespace

Replayer::Replayer(const Session &recording, QObject *parent)
    : QObject(parent)
    , m_recordedEnds(recording.endpoints)
    , m_recordedActions(recording.actions)
{
    connect(&m_workbench, &Workbench::serverConnectionAdded, this, &Replayer::handleAccepted);
}

Replayer::~Replayer()
{
    // A window may throw a replay away while it runs: the runners use the workbench's
    // endpoints and recorder, so they go before the workbench does.
    for (auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans) {
            plan->gapTimer.stop();
            delete plan->runner;
            plan->runner = nullptr;
        }
    }
}

void Replayer::setTarget(const QString &host, quint16 port)
{
    m_target = std::make_pair(host, port);
}

void Replayer::setListenAddress(const QHostAddress &address, quint16 port)
{
    m_listenAddress = address;
    m_listenPort = port;
}

std::optional<Side> Replayer::replayedSide() const
{
    switch (m_mode) {
    case Mode::Client:
        return Side::Client;
    case Mode::Server:
        return Side::Server;
    default:
        return std::nullopt;
    }
}

QString Replayer::target(quint32 conn) const
{
    if (conn < 1 || conn > m_clientPlans.size())
        return QString();
    const Plan &plan = *m_clientPlans.at(conn - 1);
    const bool v6 = plan.host.contains(u':');
    return v6 ? QStringLiteral("[%1]:%2").arg(plan.host).arg(plan.port)
              : QStringLiteral("%1:%2").arg(plan.host).arg(plan.port);
}

QList<std::pair<Side, quint32>> Replayer::replayedEnds() const
{
    QList<std::pair<Side, quint32>> out;
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans)
            out.append({plan->side, plan->conn});
    }
    return out;
}

bool Replayer::prepare(QString *error)
{
    if (m_prepared)
        return true;
    if (!buildPlans(error))
        return false;
    if (m_mode != Mode::Client && !m_workbench.listen(m_listenAddress, m_listenPort, error))
        return false;
    if (m_mode == Mode::Both) {
        for (auto &plan : m_clientPlans) {
            plan->host = m_listenAddress.toString();
            plan->port = m_workbench.listenPort();
        }
    }
    m_prepared = true;
    return true;
}

bool Replayer::buildPlans(QString *error)
{
    // The ends to replay: every recorded connection end, plus any that only has actions.
    QList<std::pair<Side, quint32>> ends;
    const auto addEnd = [&](Side side, quint32 conn) {
        if (conn > 0 && !ends.contains(std::make_pair(side, conn)))
            ends.append({side, conn});
    };
    for (const EndpointRecord &rec : m_recordedEnds)
        addEnd(rec.side, rec.conn);
    for (const RecordedAction &a : m_recordedActions)
        addEnd(a.side, a.conn);
    std::sort(ends.begin(), ends.end());

    bool hasClient = false;
    bool hasServer = false;
    for (const RecordedAction &a : m_recordedActions)
        (a.side == Side::Client ? hasClient : hasServer) = true;
    if (m_mode == Mode::Auto) {
        if (!hasClient && !hasServer) {
            *error = QStringLiteral("the session has no actions to replay");
            return false;
        }
        m_mode = hasClient && hasServer ? Mode::Both : hasClient ? Mode::Client : Mode::Server;
    }
    if ((m_mode == Mode::Client && !hasClient) || (m_mode == Mode::Server && !hasServer)
        || (m_mode == Mode::Both && !(hasClient && hasServer))) {
        *error = QStringLiteral("the session has no %1 actions to replay")
                     .arg(m_mode == Mode::Client   ? QStringLiteral("client")
                          : m_mode == Mode::Server ? QStringLiteral("server")
                                                   : QStringLiteral("client and server"));
        return false;
    }

    for (const auto &[side, conn] : ends) {
        if ((side == Side::Client && m_mode == Mode::Server)
            || (side == Side::Server && m_mode == Mode::Client)) {
            continue;
        }
        auto plan = std::make_unique<Plan>();
        plan->side = side;
        plan->conn = conn;
        plan->gapTimer.setSingleShot(true);
        plan->gapTimer.setTimerType(Qt::PreciseTimer);
        Plan *raw = plan.get();
        connect(&plan->gapTimer, &QTimer::timeout, this, [this, raw] {
            handleReady(raw, raw->runner ? raw->runner->currentIndex() + 1 : 0);
        });
        (side == Side::Client ? m_clientPlans : m_serverPlans).push_back(std::move(plan));
    }

    int global = 0;
    for (qsizetype i = 0; i < m_recordedActions.size(); ++i) {
        const RecordedAction &a = m_recordedActions.at(i);
        auto &plans = a.side == Side::Client ? m_clientPlans : m_serverPlans;
        const auto it = std::find_if(
            plans.begin(), plans.end(), [&](const auto &p) { return p->conn == a.conn; });
        if (it == plans.end())
            continue;
        QString why;
        const auto action = Action::parse(a.text, &why);
        if (!action) {
            *error = QStringLiteral("actions[%1]: %2").arg(i).arg(why);
            return false;
        }
        (*it)->actions.append(*action);
        (*it)->tNs.append(a.tNs);
        (*it)->globalIndex.append(global++);
    }

    for (auto &plan : m_clientPlans) {
        if (m_target) {
            plan->host = m_target->first;
            plan->port = m_target->second;
            continue;
        }
        if (m_mode == Mode::Both)
            continue; // the fresh port, once listening
        std::optional<std::pair<QString, quint16>> where;
        for (const EndpointRecord &rec : m_recordedEnds) {
            if (rec.side == Side::Client && rec.conn == plan->conn)
                where = splitHostPort(rec.target).has_value() ? splitHostPort(rec.target)
                                                              : splitHostPort(rec.peerAddress);
        }
        if (!where) {
            *error = QStringLiteral("client %1: the session records no address to connect to; "
                                    "give a target")
                         .arg(plan->conn);
            return false;
        }
        plan->host = where->first;
        plan->port = where->second;
    }
    return true;
}

void Replayer::start()
{
    if (m_started || !m_prepared)
        return;
    m_started = true;
    for (auto &plan : m_clientPlans) {
        Endpoint *endpoint = m_workbench.connectClient(plan->host, plan->port);
        Plan *raw = plan.get();
        connect(endpoint, &Endpoint::connected, this, [this, raw, endpoint] {
            if (m_finished) {
                endpoint->close(); // connected after the replay ended
                return;
            }
            startRunner(raw, endpoint);
        });
        connect(endpoint, &Endpoint::connectFailed, this, &Replayer::fail);
    }
    checkFinished(); // a server replay with no connections to wait for
}

void Replayer::handleAccepted(Endpoint *endpoint)
{
    if (m_finished) {
        endpoint->close(); // accepted after the replay ended
        return;
    }
    const qsizetype index = m_accepted++;
    if (m_accepted >= qsizetype(m_serverPlans.size()))
        m_workbench.stopListening();
    if (index >= qsizetype(m_serverPlans.size())) {
        endpoint->close(); // raced in before the listener closed
        return;
    }
    startRunner(m_serverPlans.at(size_t(index)).get(), endpoint);
}

void Replayer::startRunner(Plan *plan, Endpoint *endpoint)
{
    if (plan->runner)
        return;
    plan->runner = new ActionRunner(endpoint, plan->actions, this);
    plan->runner->setPaced(true);
    m_workbench.recorder()->attach(plan->runner);
    connect(plan->runner, &ActionRunner::readyForAction, this, [this, plan](int index) {
        handleReady(plan, index);
    });
    connect(
        plan->runner, &ActionRunner::actionStarted, this, [this, plan](int, const Action &action) {
            emit actionStarted(plan->side, plan->conn, action.toString());
        });
    connect(plan->runner, &ActionRunner::finished, this, &Replayer::checkFinished);
    connect(endpoint, &Endpoint::closed, this, &Replayer::checkFinished);
    plan->runner->start();
}

// The runner is ready for action `index`: let it run when its recorded moment (scaled) has come,
// or when next() is called.
void Replayer::handleReady(Plan *plan, int index)
{
    if (m_finished || !plan->runner || !plan->runner->isWaitingToProceed()
        || index != plan->runner->currentIndex() + 1) {
        return;
    }
    if (m_stepping) {
        releaseSteps();
        return;
    }
    if (index == 0 || !plan->started.isValid()) {
        plan->started.start();
        release(plan);
        return;
    }
    if (m_speed > 0) {
        const qint64 dueNs = qint64(double(plan->tNs.at(index) - plan->tNs.at(0)) / m_speed);
        const qint64 leftNs = dueNs - plan->started.nsecsElapsed();
        // Timers may fire a little early; the timeout comes back here and checks again.
        if (leftNs > 0) {
            plan->gapTimer.start(int(std::min<qint64>((leftNs + 999'999) / 1'000'000, 1 << 30)));
            return;
        }
    }
    release(plan);
}

void Replayer::release(Plan *plan)
{
    plan->runner->proceed();
}

void Replayer::next()
{
    if (m_finished)
        return;
    ++m_stepCredits;
    releaseSteps();
}

bool Replayer::isWaitingForNext() const
{
    return !m_finished && m_stepping && m_announced == m_nextGlobal && m_stepCredits == 0;
}

void Replayer::halt()
{
    if (m_finished)
        return;
    m_finished = true;
    m_halted = true;
    m_stepping = false;
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans)
            plan->gapTimer.stop();
    }
    for (Endpoint *endpoint : m_workbench.clients())
        endpoint->cancelConnect(QStringLiteral("the replay was stopped"));
    closeAll();
    emit finished(true);
}

void Replayer::stopStepping()
{
    if (!m_stepping)
        return;
    // The recorded gaps no longer line up with anything once a person has paused the replay.
    m_stepping = false;
    m_speed = 0;
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans) {
            if (plan->runner && plan->runner->isWaitingToProceed())
                release(plan.get());
        }
    }
}

// Stepping runs the actions in the order the recording started them: the action numbered
// m_nextGlobal runs once its end is ready for it and next() was called for it.
void Replayer::releaseSteps()
{
    while (m_stepping && !m_finished) {
        Plan *ready = nullptr;
        int index = -1;
        for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
            for (const auto &plan : *plans) {
                if (!plan->runner || !plan->runner->isWaitingToProceed())
                    continue;
                const int i = plan->runner->currentIndex() + 1;
                if (i < plan->globalIndex.size() && plan->globalIndex.at(i) == m_nextGlobal) {
                    ready = plan.get();
                    index = i;
                }
            }
        }
        if (!ready)
            return; // its end is still busy with the action before, or not connected yet
        if (m_stepCredits == 0) {
            if (m_announced != m_nextGlobal) {
                m_announced = m_nextGlobal;
                emit actionPending(ready->side, ready->conn, ready->actions.at(index).toString());
            }
            return;
        }
        --m_stepCredits;
        ++m_nextGlobal;
        release(ready);
    }
}

QStringList Replayer::failures() const
{
    QStringList out;
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans) {
            if (plan->runner)
                out += plan->runner->failures();
        }
    }
    return out;
}

QString Replayer::waitingFor() const
{
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans) {
            if (!plan->runner)
                return plan->side == Side::Server
                           ? QStringLiteral("server connection %1").arg(plan->conn)
                           : QStringLiteral("client %1 to connect").arg(plan->conn);
            if (!plan->runner->isFinished() && plan->runner->endpoint()->isOpen())
                return QStringLiteral("%1 %2 %3")
                    .arg(sideName(plan->side))
                    .arg(plan->conn)
                    .arg(plan->runner->waitingFor());
        }
    }
    return QString();
}

void Replayer::checkFinished()
{
    if (m_finished || !m_started)
        return;
    for (const auto *plans : {&m_clientPlans, &m_serverPlans}) {
        for (const auto &plan : *plans) {
            if (!plan->runner)
                return;
            if (!plan->runner->isFinished()
                && plan->runner->endpoint()->status() == Endpoint::Status::Open) {
                return;
            }
        }
    }
    m_finished = true;
    closeAll();
    emit finished(true);
}

void Replayer::closeAll()
{
    m_workbench.stopListening();
    for (const auto *list : {&m_workbench.clients(), &m_workbench.serverConnections()}) {
        for (Endpoint *endpoint : *list) {
            if (endpoint->isOpen())
                endpoint->close();
        }
    }
}

void Replayer::fail(const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    m_errorString = reason;
    closeAll();
    emit finished(false);
}

} // namespace finscope
