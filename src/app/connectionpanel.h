#pragma once

// The controls of one connection end, the same in the client and the server pane: send text, hex,
// a file or bulk bytes; read or pause reading; SHUT_WR, SHUT_RD, SHUT_RDWR, close and abort, each
// disabled with the reason when it no longer applies; the kernel's state and queues; received data.

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>

namespace Ui {
class ConnectionPanel;
}

namespace finscope {

class ConnectionPanel : public QWidget
{
    Q_OBJECT
public:
    // scripted: a script (a scenario run) drives this end: the read check shows what the script
    // does and never changes it, there is no auto-responder and no send row. SHUT_*, Close and
    // Abort stay, for a presenter who wants to step in.
    explicit ConnectionPanel(Endpoint *endpoint, QWidget *parent = nullptr, bool scripted = false);
    ~ConnectionPanel() override;

    Endpoint *endpoint() const { return m_endpoint; }
    void setResponderVisible(bool visible);
    // Asked before a close that would send RST; the default shows a warning dialog.
    void setCloseConfirmation(std::function<bool(qint64 unread)> confirm);
    QString titleText() const;

public slots:
    void refresh();

signals:
    // A sentence on what the last action did, for the hint area.
    void hint(const QString &text);

private:
    void send();
    void sendFile();
    void sendBulk();
    void shutdownEnd(int how);
    void closeEnd();
    void abortEnd();
    void setReadingFromCheck();
    void setResponder(int index);
    void appendReceived(const QByteArray &data);
    void renderReceived();
    void setEnabledWithReason(QWidget *widget, const QString &whyNot);
    void applyScripted();

    std::unique_ptr<Ui::ConnectionPanel> m_ui;
    QPointer<Endpoint> m_endpoint;
    QPointer<ActionRunner> m_responder;
    std::function<bool(qint64)> m_confirmClose;
    QByteArray m_received; // the last bytes received, bounded
    qint64 m_receivedStart = 0;
    bool m_receivedDirty = false;
    bool m_scripted = false;
    QTimer m_refreshTimer;
};

} // namespace finscope
