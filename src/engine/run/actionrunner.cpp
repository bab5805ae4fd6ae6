#include "engine/run/actionrunner.h"

#include "engine/socket/endpoint.h"
#include "engine/socket/writequeue.h"

#include <QFile>

namespace finscope {

ActionRunner::ActionRunner(Endpoint *endpoint, const QList<Action> &actions, QObject *parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_actions(actions)
{
    m_timer.setSingleShot(true);
    // 'wait MS' means MS: a coarse timer fires up to 5 % early or late (1900-2098 ms for 2000).
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ActionRunner::handleWaitOver);
    connect(endpoint, &Endpoint::received, this, &ActionRunner::handleReceived);
    connect(endpoint, &Endpoint::writeQueueEmpty, this, &ActionRunner::handleQueueEmpty);
    connect(endpoint, &Endpoint::endOfStream, this, &ActionRunner::check);
    connect(endpoint, &Endpoint::reset, this, &ActionRunner::check);
    connect(endpoint, &Endpoint::closed, this, &ActionRunner::check);
}

bool ActionRunner::checkFiles(const QList<Action> &actions, QString *error)
{
    for (const Action &action : actions) {
        if (action.kind == Action::Kind::SendFile
            && !WriteQueue::Item::openFile(action.path, error))
            return false;
    }
    return true;
}

void ActionRunner::setRecordedBytes(int index, const QByteArray &bytes)
{
    m_recordedBytes.insert(index, bytes);
}

void ActionRunner::start()
{
    if (m_started)
        return;
    m_started = true;
    next();
}

void ActionRunner::setReleased(int count)
{
    m_released = count;
    if (m_started && !m_finished && m_wait == Wait::None)
        QMetaObject::invokeMethod(this, &ActionRunner::next, Qt::QueuedConnection);
}

QString ActionRunner::waitingFor() const
{
    if (m_held)
        return QStringLiteral("the start of action %1 (%2)")
            .arg(m_index + 2)
            .arg(m_actions.at(m_index + 1).toString());
    if (m_index < 0 || m_index >= m_actions.size())
        return QString();
    return QStringLiteral("action %1 (%2)").arg(m_index + 1).arg(m_actions.at(m_index).toString());
}

void ActionRunner::next()
{
    // Actions that complete at once would otherwise recurse once per action.
    if (m_stepping)
        return;
    m_stepping = true;
    while (m_wait == Wait::None && !m_finished) {
        if (m_index >= 0 && m_reported < m_index) {
            m_reported = m_index;
            emit actionFinished(m_index);
        }
        m_held = m_index + 1 < m_actions.size() && m_index + 1 >= m_released;
        if (m_held)
            break;
        ++m_index;
        if (m_index >= m_actions.size()) {
            m_finished = true;
            m_endpoint->setReading(m_backgroundReading && m_endpoint->isOpen());
            m_stepping = false;
            emit finished(succeeded());
            return;
        }
        const Action &action = m_actions.at(m_index);
        emit actionStarted(m_index, action);
        run(action);
    }
    m_stepping = false;
    if (m_held && m_heldAnnounced != m_index + 1) {
        m_heldAnnounced = m_index + 1;
        emit held(m_index + 1);
    }
}

void ActionRunner::run(const Action &action)
{
    Endpoint *ep = m_endpoint;
    switch (action.kind) {
    case Action::Kind::Send:
    case Action::Kind::SendHex:
        if (ep->send(action.data))
            m_wait = Wait::Drain;
        break;
    case Action::Kind::SendFile:
        if (const auto recorded = m_recordedBytes.constFind(m_index);
            recorded != m_recordedBytes.cend()) {
            // Nothing recorded (an empty file, or one the recording could not open): nothing
            // to send, as then.
            if (!recorded->isEmpty() && ep->send(*recorded))
                m_wait = Wait::Drain;
        } else if (ep->sendFile(action.path)) {
            m_wait = Wait::Drain;
        }
        break;
    case Action::Kind::SendPattern:
        if (ep->sendPattern(action.count))
            m_wait = Wait::Drain;
        break;
    case Action::Kind::Shutdown:
        if (ep->shutdown(action.how) && action.how != ShutdownHow::Read)
            m_wait = Wait::Drain;
        break;
    case Action::Kind::Close:
        ep->close();
        break;
    case Action::Kind::Abort:
        ep->abort();
        break;
    case Action::Kind::Read:
        m_chunksAtStart = m_chunks;
        m_wait = Wait::Chunk;
        ep->setReading(true);
        break;
    case Action::Kind::ReadUntilEof:
        m_wait = Wait::Eof;
        ep->setReading(true);
        break;
    case Action::Kind::PauseReading:
        m_backgroundReading = false;
        ep->setReading(false);
        break;
    case Action::Kind::ResumeReading:
        m_backgroundReading = true;
        ep->setReading(true);
        break;
    case Action::Kind::Echo:
    case Action::Kind::EchoUpper:
    case Action::Kind::Discard:
        m_wait = Wait::Responder;
        ep->setReading(true);
        break;
    case Action::Kind::Wait:
        m_wait = Wait::Timer;
        m_timer.start(int(std::min<qint64>(action.count, std::numeric_limits<int>::max())));
        return;
    case Action::Kind::ExpectEof:
    case Action::Kind::ExpectRst:
        m_wait = Wait::Ending;
        m_endingsAtStart = int(ep->endings().size());
        ep->setReading(true);
        break;
    case Action::Kind::Dup:
        ep->duplicateHandle();
        break;
    case Action::Kind::CloseDup:
        ep->closeDuplicate();
        break;
    }
    check();
}

// Decides whether the action being waited on is complete, from the endpoint's current state.
void ActionRunner::check()
{
    if (m_finished || m_wait == Wait::None || m_wait == Wait::Timer)
        return;
    Endpoint *ep = m_endpoint;
    const bool ended = ep->eofSeen() || ep->resetSeen() || !ep->isOpen();
    bool done = false;
    switch (m_wait) {
    case Wait::Drain:
        done = ep->userQueueBytes() == 0 || ep->resetSeen() || !ep->isOpen();
        break;
    case Wait::Chunk:
        done = m_chunks > m_chunksAtStart || ended;
        break;
    case Wait::Eof:
        done = ended;
        break;
    case Wait::Responder:
        // Like a blocking echo program, replies already read are sent before it reads EOF.
        done = (ep->eofSeen() && ep->userQueueBytes() == 0) || ep->resetSeen() || !ep->isOpen();
        break;
    case Wait::Ending: {
        const QList<EventKind> &endings = ep->endings();
        const EventKind want = m_actions.at(m_index).kind == Action::Kind::ExpectEof
                                   ? EventKind::Eof
                                   : EventKind::Rst;
        while (!done && m_endingsConsumed < endings.size()) {
            const EventKind got = endings.at(m_endingsConsumed++);
            // An EOF the program read before expect-rst began is behind it: the reset that
            // follows (a send after the peer closed) is the ending it waits for.
            if (want == EventKind::Rst && got == EventKind::Eof
                && m_endingsConsumed <= m_endingsAtStart)
                continue;
            // A FIN that came before the reset is read as EOF, as a blocking read() would: the
            // rst, recorded when the kernel learnt it, is not what the program's read returns.
            if (want == EventKind::Eof && got == EventKind::Rst && ep->finBeforeReset())
                continue;
            if (got != want)
                fail(QStringLiteral("%1: expected %2, got %3")
                         .arg(waitingFor(), kindName(want), kindName(got)));
            done = true;
        }
        if (!done && !ep->isOpen()) {
            fail(QStringLiteral("%1: the connection closed without an EOF or RST")
                     .arg(waitingFor()));
            done = true;
        }
        break;
    }
    default:
        break;
    }
    if (done)
        complete();
}

void ActionRunner::handleReceived(const QByteArray &data)
{
    ++m_chunks;
    if (m_wait == Wait::Responder) {
        const Action::Kind kind = m_actions.at(m_index).kind;
        if (kind != Action::Kind::Discard) {
            m_endpoint->send(kind == Action::Kind::EchoUpper ? data.toUpper() : data);
            // A blocking echo program sits in send() until its reply is taken: stop reading
            // so a peer that never reads fills both kernel queues instead of our memory.
            if (m_endpoint->userQueueBytes() > 0)
                m_endpoint->setReading(false);
        }
        return;
    }
    if (m_wait == Wait::Chunk)
        m_endpoint->setReading(false); // take what this activation read, no more
    check();
}

void ActionRunner::handleQueueEmpty()
{
    if (m_wait == Wait::Responder && m_endpoint->isOpen() && !m_endpoint->resetSeen())
        m_endpoint->setReading(true);
    check();
}

void ActionRunner::complete()
{
    if (m_wait == Wait::None)
        return;
    const Wait was = m_wait;
    m_wait = Wait::None;
    if (was != Wait::Timer && was != Wait::Drain)
        m_endpoint->setReading(m_backgroundReading && m_endpoint->isOpen());
    // Continue from the event loop: completion is often signalled from inside an endpoint callback.
    QMetaObject::invokeMethod(this, &ActionRunner::next, Qt::QueuedConnection);
}

// Straight on to the next action: a timer's timeout comes from the event loop, not from inside an
// endpoint callback, and each further pass through the loop would lengthen 'wait MS'.
void ActionRunner::handleWaitOver()
{
    if (m_wait != Wait::Timer)
        return;
    m_wait = Wait::None;
    next();
}

void ActionRunner::fail(const QString &reason)
{
    m_failures.append(reason);
}

} // namespace finscope
