#include "connectionrecord.h"

#include "engine/core/action.h"
#include "engine/run/actionrunner.h"

namespace finscope {

ConnectionRecord::ConnectionRecord(Endpoint *endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(endpoint)
{
    if (m_endpoint) {
        connect(m_endpoint, &Endpoint::received, this, &ConnectionRecord::append);
        // Queued: a responder answering the last chunk sees the EOF first.
        connect(m_endpoint,
                &Endpoint::endOfStream,
                this,
                &ConnectionRecord::closeAfterEof,
                Qt::QueuedConnection);
        connect(m_endpoint,
                &Endpoint::writeQueueEmpty,
                this,
                &ConnectionRecord::closeAfterEof,
                Qt::QueuedConnection);
    }
}

void ConnectionRecord::setCloseOnEof(bool on)
{
    m_closeOnEof = on;
    closeAfterEof();
}

void ConnectionRecord::closeAfterEof()
{
    // close() drops what FinScope still queues: wait until the last reply has gone.
    if (m_closeOnEof && m_endpoint && m_endpoint->isOpen() && m_endpoint->eofSeen()
        && m_endpoint->userQueueBytes() == 0)
        m_endpoint->close();
}

ConnectionRecord::~ConnectionRecord()
{
    delete m_runner;
}

QString ConnectionRecord::responderWord(Responder responder)
{
    switch (responder) {
    case Responder::None:
        return QStringLiteral("none");
    case Responder::Echo:
        return QStringLiteral("echo");
    case Responder::EchoUpper:
        return QStringLiteral("echo-upper");
    case Responder::Discard:
        return QStringLiteral("discard");
    }
    return QString();
}

void ConnectionRecord::setReadWanted(bool on)
{
    m_readWanted = on;
    m_drivesReading = true;
    applyReading();
}

void ConnectionRecord::applyReading()
{
    if (m_endpoint && !m_runner && m_drivesReading)
        m_endpoint->setReading(m_readWanted);
}

QString ConnectionRecord::setResponder(Responder responder)
{
    delete m_runner;
    m_responder = responder;
    QString said;
    if (m_endpoint && responder != Responder::None) {
        const auto action = Action::parse(responderWord(responder), nullptr);
        m_runner = new ActionRunner(m_endpoint, {*action}, this);
        connect(m_runner, &ActionRunner::finished, this, [this] {
            m_runner->deleteLater();
            m_runner = nullptr;
            applyReading();
            emit responderChanged();
        });
        m_runner->start();
        said = tr("%1 answers every chunk until EOF.").arg(responderWord(responder));
    } else {
        applyReading();
    }
    emit responderChanged();
    return said;
}

void ConnectionRecord::append(const QByteArray &data)
{
    m_received += data;
    if (m_received.size() > KeptBytes) {
        const qsizetype drop = m_received.size() - KeptBytes;
        m_received.remove(0, drop);
        m_receivedStart += drop;
    }
    emit receivedChanged();
}

} // namespace finscope
