#pragma once

// What the app keeps for one connection end whether or not a panel shows it: the last bytes
// received, whether the user wants it read, and its auto-responder, which keeps answering while
// another connection is shown. A ConnectionPanel shows one record and drives it.

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

namespace finscope {

class ConnectionRecord : public QObject
{
    Q_OBJECT
public:
    // The server's auto-responders, as the panel's and the pane's combo boxes list them.
    enum class Responder { None, Echo, EchoUpper, Discard };
    Q_ENUM(Responder)

    explicit ConnectionRecord(Endpoint *endpoint, QObject *parent = nullptr);
    ~ConnectionRecord() override;

    Endpoint *endpoint() const { return m_endpoint; }

    // The last bytes received (at most KeptBytes) and the stream offset of the first of them.
    static constexpr qsizetype KeptBytes = 64 * 1024;
    const QByteArray &received() const { return m_received; }
    qint64 receivedStart() const { return m_receivedStart; }

    // The user's "read automatically": applied to the endpoint unless a responder reads.
    bool readWanted() const { return m_readWanted; }
    void setReadWanted(bool on);

    // The responder chosen last; it answers until the peer's EOF (responderRunning() then turns
    // false). Choosing one replaces the one running. Returns the sentence for the hint area.
    Responder responder() const { return m_responder; }
    QString setResponder(Responder responder);
    bool responderRunning() const { return m_runner; }

    static QString responderWord(Responder responder);

    // Closes the end once the peer's FIN is read and what was queued has gone to the kernel, as
    // most servers do; off, the end stays in CLOSE_WAIT for the user to close.
    void setCloseOnEof(bool on);
    bool closesOnEof() const { return m_closeOnEof; }

signals:
    void receivedChanged();
    void responderChanged();

private:
    void append(const QByteArray &data);
    void applyReading();
    void closeAfterEof();

    QPointer<Endpoint> m_endpoint;
    QPointer<ActionRunner> m_runner;
    Responder m_responder = Responder::None;
    bool m_readWanted = true;
    bool m_closeOnEof = false;
    bool m_drivesReading = false; // set once the user (or the pane) chose; scripts read themselves
    QByteArray m_received;
    qint64 m_receivedStart = 0;
};

} // namespace finscope
