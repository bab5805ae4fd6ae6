#pragma once

// The controls of one connection end, the same in the client and the server pane: send text, hex,
// a file or bulk bytes; read or pause reading; SHUT_WR, SHUT_RD, SHUT_RDWR, close and abort, each
// disabled with the reason when it no longer applies; the kernel's state and queues; received data.
// It shows a ConnectionRecord (what is kept per connection) and refreshes on the endpoint's events,
// coalesced and only while visible: no timer runs while nothing happens.

#include "connectionrecord.h"
#include "engine/socket/endpoint.h"

#include <QElapsedTimer>
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
    // Shows a record kept elsewhere (the server pane keeps one per connection), so a panel made
    // again for it shows the same received bytes and responder.
    explicit ConnectionPanel(ConnectionRecord &record, QWidget *parent = nullptr);
    ~ConnectionPanel() override;

    Endpoint *endpoint() const { return m_endpoint; }
    ConnectionRecord *record() const { return m_record; }
    void setResponderVisible(bool visible);
    // Asked before a close that would send RST; the default shows a warning dialog.
    void setCloseConfirmation(std::function<bool(qint64 unread)> confirm);
    QString titleText() const;

public slots:
    void refresh();

signals:
    // A sentence on what the last action did, for the hint area.
    void hint(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void setUp();
    void scheduleRefresh();
    void showResponder();
    void send();
    void sendFile();
    void sendBulk();
    void shutdownEnd(int how);
    void closeEnd();
    void abortEnd();
    void setReadingFromCheck();
    void setResponder(int index);
    void renderReceived();
    void setEnabledWithReason(QWidget *widget, const QString &whyNot);
    void applyScripted();

    std::unique_ptr<Ui::ConnectionPanel> m_ui;
    QPointer<ConnectionRecord> m_record;
    QPointer<Endpoint> m_endpoint;
    std::function<bool(qint64)> m_confirmClose;
    bool m_receivedDirty = true;
    QElapsedTimer m_receivedRendered; // rendering 64 KiB of text and hex is kept to a few a second
    bool m_scripted = false;
    QTimer m_refreshTimer; // single shot: coalesces the events of a busy connection
};

} // namespace finscope
