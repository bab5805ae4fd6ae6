#include "connectionpanel.h"
#include "ui_connectionpanel.h"

#include "engine/core/action.h"
#include "engine/socket/endpoint.h"
#include "render/timelinestyle.h"

#include <QAction>
#include <QFileDialog>
#include <QMessageBox>

namespace finscope {

namespace {

constexpr qsizetype HexBytes = 16 * 1024;
// A refresh follows the endpoint's events by at most this much, and the received text (64 KiB
// set into two text views) by at most ReceivedMs.
constexpr int RefreshMs = 30;
constexpr int ReceivedMs = 200;

QString hexDump(const QByteArray &data, qint64 startOffset)
{
    QString out;
    for (qsizetype row = 0; row < data.size(); row += 16) {
        const QByteArray line = data.mid(row, 16);
        out += QStringLiteral("%1  ").arg(startOffset + row, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = 0; i < 16; ++i) {
            if (i < line.size()) {
                const auto c = uchar(line.at(i));
                out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += c >= 0x20 && c < 0x7f ? QChar(c) : QChar(u'.');
            } else {
                out += QStringLiteral("   ");
            }
        }
        out += u' ' + ascii + u'\n';
    }
    return out;
}

void badge(QLabel *label, const QString &text, const QColor &background)
{
    label->setText(text);
    // A style sheet with a font property stops the font following the window's (presenter
    // mode enlarges it): give the size explicitly.
    const QFont font = label->parentWidget() ? label->parentWidget()->font() : label->font();
    label->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; border-radius: 3px; "
                                        "padding: 1px 6px; font-weight: bold; font-size: %3pt; }")
                             .arg(background.name(), TimelineStyle::badgeText(background).name())
                             .arg(font.pointSizeF()));
}

} // namespace

ConnectionPanel::ConnectionPanel(Endpoint *endpoint, QWidget *parent, bool scripted)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ConnectionPanel>())
    , m_record(new ConnectionRecord(endpoint, this))
    , m_endpoint(endpoint)
    , m_scripted(scripted)
{
    setUp();
    // A panel with its own record drives reading from its check box from the start.
    if (m_endpoint && !m_scripted)
        m_record->setReadWanted(m_ui->readCheck->isChecked());
    refresh();
}

ConnectionPanel::ConnectionPanel(ConnectionRecord &record, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ConnectionPanel>())
    , m_record(&record)
    , m_endpoint(record.endpoint())
{
    setUp();
    {
        const QSignalBlocker block(m_ui->readCheck);
        m_ui->readCheck->setChecked(record.readWanted());
    }
    showResponder();
    refresh();
}

void ConnectionPanel::setUp()
{
    m_ui->setupUi(this);
    // Keep the tooltips that explain each button; disabled buttons show why instead.
    for (QWidget *w : {static_cast<QWidget *>(m_ui->sendButton),
                       static_cast<QWidget *>(m_ui->sendFileButton),
                       static_cast<QWidget *>(m_ui->sendBulkButton),
                       static_cast<QWidget *>(m_ui->shutWrButton),
                       static_cast<QWidget *>(m_ui->shutRdButton),
                       static_cast<QWidget *>(m_ui->shutRdwrButton),
                       static_cast<QWidget *>(m_ui->closeButton),
                       static_cast<QWidget *>(m_ui->abortButton)}) {
        w->setProperty("explanation", w->toolTip());
    }
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_ui->receivedText->setFont(mono);
    m_ui->receivedHex->setFont(mono);
    m_ui->abortButton->setStyleSheet(QStringLiteral("QPushButton:enabled { color: %1; }")
                                         .arg(TimelineStyle(palette()).bad().name()));
    m_confirmClose = [this](qint64 unread) {
        return QMessageBox::warning(
                   this,
                   tr("Close with unread data"),
                   tr("%1 received bytes are still unread in the kernel.\n\nClosing now makes the "
                      "kernel send RST instead of FIN and discard them; the peer may lose data "
                      "it sent earlier.\n\nClose anyway?")
                       .arg(unread),
                   QMessageBox::Close | QMessageBox::Cancel,
                   QMessageBox::Cancel)
               == QMessageBox::Close;
    };

    connect(m_ui->sendButton, &QPushButton::clicked, this, &ConnectionPanel::send);
    connect(m_ui->sendEdit, &QLineEdit::returnPressed, this, &ConnectionPanel::send);
    connect(m_ui->sendFileButton, &QPushButton::clicked, this, &ConnectionPanel::sendFile);
    connect(m_ui->sendBulkButton, &QPushButton::clicked, this, &ConnectionPanel::sendBulk);
    connect(m_ui->shutWrButton, &QPushButton::clicked, this, [this] {
        shutdownEnd(int(ShutdownHow::Write));
    });
    connect(m_ui->shutRdButton, &QPushButton::clicked, this, [this] {
        shutdownEnd(int(ShutdownHow::Read));
    });
    connect(m_ui->shutRdwrButton, &QPushButton::clicked, this, [this] {
        shutdownEnd(int(ShutdownHow::Both));
    });
    connect(m_ui->closeButton, &QPushButton::clicked, this, &ConnectionPanel::closeEnd);
    connect(m_ui->abortButton, &QPushButton::clicked, this, &ConnectionPanel::abortEnd);
    connect(m_ui->readCheck, &QCheckBox::toggled, this, &ConnectionPanel::setReadingFromCheck);
    connect(m_ui->responderCombo,
            &QComboBox::currentIndexChanged,
            this,
            &ConnectionPanel::setResponder);
    connect(m_record, &ConnectionRecord::receivedChanged, this, [this] {
        m_receivedDirty = true;
        scheduleRefresh();
    });
    connect(m_record, &ConnectionRecord::responderChanged, this, [this] {
        showResponder();
        scheduleRefresh();
    });

    const auto shortcut = [this](const QKeySequence &keys, QPushButton *button) {
        auto *action = new QAction(this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, button, [button] {
            if (button->isEnabled())
                button->click();
        });
        addAction(action);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_ui->sendButton);
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), m_ui->shutWrButton);
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), m_ui->shutRdButton);
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), m_ui->shutRdwrButton);
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), m_ui->closeButton);
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), m_ui->abortButton);

    setResponderVisible(false);
    m_ui->countersLabel->setWordWrap(true);
    if (m_scripted)
        applyScripted();
    if (m_endpoint) {
        // Everything the panel shows changes with an event, or with a failed connect (which
        // records none of its own).
        connect(m_endpoint, &Endpoint::eventRecorded, this, &ConnectionPanel::scheduleRefresh);
        connect(m_endpoint, &Endpoint::connectFailed, this, &ConnectionPanel::scheduleRefresh);
    }
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(RefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ConnectionPanel::refresh);
}

void ConnectionPanel::scheduleRefresh()
{
    // A hidden panel catches up when shown.
    if (isVisible() && !m_refreshTimer.isActive())
        m_refreshTimer.start(RefreshMs);
}

void ConnectionPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void ConnectionPanel::showResponder()
{
    const QSignalBlocker block(m_ui->responderCombo);
    m_ui->responderCombo->setCurrentIndex(int(m_record->responder()));
}

ConnectionPanel::~ConnectionPanel() = default;

void ConnectionPanel::setResponderVisible(bool visible)
{
    m_ui->responderLabel->setVisible(visible);
    m_ui->responderCombo->setVisible(visible);
}

void ConnectionPanel::setCloseConfirmation(std::function<bool(qint64)> confirm)
{
    m_confirmClose = std::move(confirm);
}

QString ConnectionPanel::titleText() const
{
    return m_ui->titleLabel->text();
}

void ConnectionPanel::applyScripted()
{
    // The script sends; what is left is what a presenter may still do by hand to one end.
    for (QWidget *w : {static_cast<QWidget *>(m_ui->sendEdit),
                       static_cast<QWidget *>(m_ui->sendMode),
                       static_cast<QWidget *>(m_ui->sendButton),
                       static_cast<QWidget *>(m_ui->sendFileButton),
                       static_cast<QWidget *>(m_ui->bulkEdit),
                       static_cast<QWidget *>(m_ui->sendBulkButton)}) {
        w->setVisible(!m_scripted);
    }
    m_ui->readCheck->setText(m_scripted ? tr("Reading now") : tr("Read automatically"));
    if (m_scripted)
        setResponderVisible(false);
}

void ConnectionPanel::setEnabledWithReason(QWidget *widget, const QString &whyNot)
{
    widget->setEnabled(whyNot.isEmpty());
    widget->setToolTip(whyNot.isEmpty() ? widget->property("explanation").toString() : whyNot);
}

void ConnectionPanel::refresh()
{
    Endpoint *ep = m_endpoint;
    m_refreshTimer.stop();
    if (m_receivedDirty) {
        if (!m_receivedRendered.isValid() || m_receivedRendered.elapsed() >= ReceivedMs)
            renderReceived();
        else
            m_refreshTimer.start(int(ReceivedMs - m_receivedRendered.elapsed()));
    }
    if (!ep) {
        m_ui->titleLabel->setText(tr("not connected"));
        return;
    }
    const QString end = QStringLiteral("%1 %2").arg(sideName(ep->side())).arg(ep->conn());
    switch (ep->status()) {
    case Endpoint::Status::Idle:
    case Endpoint::Status::Resolving:
    case Endpoint::Status::Connecting:
        m_ui->titleLabel->setText(tr("%1 — connecting…").arg(end));
        break;
    case Endpoint::Status::Failed:
        m_ui->titleLabel->setText(tr("%1 — %2").arg(end, ep->errorString()));
        break;
    default:
        m_ui->titleLabel->setText(
            tr("%1 — local %2, peer %3").arg(end, ep->localAddress(), ep->peerAddress()));
    }

    const TcpState state = ep->tcpState();
    const TimelineStyle style(palette());
    badge(m_ui->stateBadge,
          ep->status() == Endpoint::Status::Open || ep->status() == Endpoint::Status::Closed
              ? stateName(state)
              : QStringLiteral("—"),
          style.stateBadge(state));
    QStringList view;
    if (ep->status() == Endpoint::Status::Closed)
        view << tr("closed");
    else if (ep->status() == Endpoint::Status::Failed)
        view << tr("failed");
    else if (ep->status() != Endpoint::Status::Open)
        view << tr("connecting");
    if (ep->resetSeen())
        view << tr("reset");
    if (ep->eofSeen())
        view << tr("peer FIN read");
    if (ep->writeShut())
        view << tr("write side closed");
    else if (ep->writeShutdownRequested())
        view << tr("FIN waits for queue");
    if (ep->readShut())
        view << tr("read side closed");
    if (view.isEmpty())
        view << tr("open");
    badge(m_ui->viewBadge,
          view.join(QStringLiteral(" · ")),
          ep->resetSeen() ? style.resetBadge() : style.quietBadge());
    const auto q = ep->kernelQueues();
    m_ui->countersLabel->setText(tr("sent %1 · received %2 · FinScope queue %3 · kernel send queue "
                                    "%4 · kernel receive queue %5")
                                     .arg(TimelineStyle::formatBytes(ep->bytesSent()),
                                          TimelineStyle::formatBytes(ep->bytesReceived()),
                                          TimelineStyle::formatBytes(ep->userQueueBytes()),
                                          TimelineStyle::formatBytes(q.outq),
                                          TimelineStyle::formatBytes(q.inq)));

    const bool open = ep->status() == Endpoint::Status::Open;
    QString notOpen;
    if (!open)
        notOpen = ep->status() == Endpoint::Status::Closed ? tr("The connection is closed.")
                                                           : tr("Not connected.");
    // The engine owns why a send is refused; the tooltip is its reason as a sentence.
    QString cannotSend;
    if (const std::optional<QString> refusal = ep->sendRefusal()) {
        cannotSend = *refusal;
        cannotSend[0] = cannotSend[0].toUpper();
        cannotSend += u'.';
    }
    for (QWidget *w : {static_cast<QWidget *>(m_ui->sendButton),
                       static_cast<QWidget *>(m_ui->sendFileButton),
                       static_cast<QWidget *>(m_ui->sendBulkButton)}) {
        setEnabledWithReason(w, cannotSend);
    }
    setEnabledWithReason(m_ui->shutWrButton, cannotSend);
    setEnabledWithReason(m_ui->shutRdButton,
                         !notOpen.isEmpty() ? notOpen
                         : ep->readShut()   ? tr("The read side is already shut down.")
                                            : QString());
    setEnabledWithReason(m_ui->shutRdwrButton,
                         !notOpen.isEmpty() ? notOpen
                         : ep->readShut() && ep->writeShutdownRequested()
                             ? tr("Both directions are already shut down.")
                             : QString());
    setEnabledWithReason(m_ui->closeButton, notOpen);
    setEnabledWithReason(m_ui->abortButton, notOpen);
    if (m_scripted) {
        const QSignalBlocker block(m_ui->readCheck);
        m_ui->readCheck->setChecked(ep->isReading());
        setEnabledWithReason(m_ui->readCheck,
                             tr("The scenario reads as its program would: this shows whether it "
                                "reads now."));
    } else {
        m_ui->readCheck->setEnabled(open && !m_record->responderRunning());
    }
    m_ui->responderCombo->setEnabled(open);
}

void ConnectionPanel::send()
{
    if (!m_endpoint)
        return;
    const QString text = m_ui->sendEdit->text();
    QString error;
    std::optional<QByteArray> bytes;
    if (m_ui->sendMode->currentIndex() == 1) {
        if (const auto action = Action::parse(QStringLiteral("send-hex ") + text, &error))
            bytes = action->data;
    } else {
        bytes = unescapeText(text, &error);
    }
    if (!bytes) {
        emit hint(tr("Not sent: %1").arg(error));
        return;
    }
    if (m_endpoint->send(*bytes, &error)) {
        m_ui->sendEdit->selectAll(); // typing replaces it, Return sends it again
        emit hint(tr("Queued %1 bytes; the timeline shows when the kernel takes them and when the "
                     "peer reads them.")
                      .arg(bytes->size()));
    } else {
        emit hint(error);
    }
    refresh();
}

void ConnectionPanel::sendFile()
{
    if (!m_endpoint)
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Send file"));
    if (path.isEmpty())
        return;
    QString error;
    emit hint(m_endpoint->sendFile(path, &error) ? tr("Sending %1").arg(path) : error);
    refresh();
}

void ConnectionPanel::sendBulk()
{
    if (!m_endpoint)
        return;
    const auto size = parseSize(m_ui->bulkEdit->text().trimmed());
    if (!size || *size <= 0) {
        emit hint(tr("'%1' is not a size: use a number with optional K, M or G.")
                      .arg(m_ui->bulkEdit->text()));
        return;
    }
    if (*size > MaxPatternBytes) {
        emit hint(tr("%1 bytes is more than a session file records (2^53).").arg(*size));
        return;
    }
    QString error;
    emit hint(m_endpoint->sendPattern(*size, &error)
                  ? tr("Sending %1 bytes of pattern as the kernel takes them. Pause reading on the "
                       "other end to watch the kernel queues fill.")
                        .arg(*size)
                  : error);
    refresh();
}

void ConnectionPanel::shutdownEnd(int how)
{
    if (!m_endpoint)
        return;
    QString error;
    if (!m_endpoint->shutdown(ShutdownHow(how), &error)) {
        emit hint(error);
    } else if (ShutdownHow(how) == ShutdownHow::Write) {
        emit hint(tr("SHUT_WR: the FIN follows the last queued byte. The peer reads EOF after all "
                     "the data; this end can still receive its reply."));
    } else if (ShutdownHow(how) == ShutdownHow::Read) {
        emit hint(tr("SHUT_RD is local on Linux: the peer is told nothing and data it sends is "
                     "still queued and readable. Closing with it unread sends RST."));
    } else {
        emit hint(tr("SHUT_RDWR: a FIN goes out and reading ends, but the handle stays open until "
                     "close()."));
    }
    refresh();
}

void ConnectionPanel::closeEnd()
{
    if (!m_endpoint)
        return;
    const qint64 unread = m_endpoint->unreadBytes();
    if (unread > 0 && m_confirmClose && !m_confirmClose(unread)) {
        emit hint(
            tr("Not closed: %1 unread bytes would have turned the close into a RST.").arg(unread));
        return;
    }
    QString error;
    if (m_endpoint->close(&error))
        emit hint(unread > 0
                      ? tr("Closed with %1 unread bytes: the kernel sent RST, not FIN.").arg(unread)
                      : tr("Closed. The end whose FIN went first keeps the TIME_WAIT entry."));
    else
        emit hint(error);
    refresh();
}

void ConnectionPanel::abortEnd()
{
    if (!m_endpoint)
        return;
    QString error;
    emit hint(m_endpoint->abort(&error)
                  ? tr("Aborted: SO_LINGER {1,0} and close() send RST; the peer's next read fails "
                       "with ECONNRESET.")
                  : error);
    refresh();
}

void ConnectionPanel::setReadingFromCheck()
{
    if (m_endpoint && !m_scripted)
        m_record->setReadWanted(m_ui->readCheck->isChecked());
    refresh();
}

void ConnectionPanel::setResponder(int index)
{
    if (!m_endpoint || index < 0 || index > int(ConnectionRecord::Responder::Discard))
        return;
    const QString said = m_record->setResponder(ConnectionRecord::Responder(index));
    if (!said.isEmpty())
        emit hint(said);
    refresh();
}

void ConnectionPanel::renderReceived()
{
    m_receivedDirty = false;
    m_receivedRendered.start();
    const QByteArray &received = m_record->received();
    m_ui->receivedText->setPlainText(QString::fromUtf8(received));
    m_ui->receivedText->moveCursor(QTextCursor::End);
    const qsizetype hexFrom = std::max<qsizetype>(0, received.size() - HexBytes);
    m_ui->receivedHex->setPlainText(
        hexDump(received.mid(hexFrom), m_record->receivedStart() + hexFrom));
    m_ui->receivedHex->moveCursor(QTextCursor::End);
}

} // namespace finscope
