#include "serverpane.h"

#include "connectionlistmodel.h"
#include "connectionpanel.h"
#include "connectionrecord.h"
#include "engine/core/hostport.h"
#include "engine/run/workbench.h"
#include "render/timelinestyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace finscope {

ServerPane::ServerPane(Workbench *workbench, QWidget *parent)
    : QWidget(parent)
    , m_workbench(workbench)
    , m_address(new QComboBox(this))
    , m_port(new QSpinBox(this))
    , m_v6only(new QCheckBox(tr("IPv6 only"), this))
    , m_listen(new QPushButton(tr("&Listen"), this))
    , m_status(new QLabel(this))
    , m_exposure(new QLabel(this))
    , m_answer(new QComboBox(this))
    , m_closeOnEof(new QCheckBox(tr("close on EOF"), this))
    , m_connections(new QListView(this))
    , m_model(new ConnectionListModel(this))
    , m_panels(new QStackedWidget(this))
{
    m_address->setObjectName(QStringLiteral("addressCombo"));
    m_listen->setObjectName(QStringLiteral("listenButton"));
    m_connections->setObjectName(QStringLiteral("connectionList"));
    m_exposure->setObjectName(QStringLiteral("exposureWarning"));
    m_v6only->setObjectName(QStringLiteral("v6onlyCheck"));
    m_address->setEditable(true);
    m_address->addItems({QStringLiteral("127.0.0.1"),
                         QStringLiteral("::1"),
                         QStringLiteral("0.0.0.0"),
                         QStringLiteral("::"),
                         QStringLiteral("localhost")});
    m_address->setToolTip(tr("The address to bind. 127.0.0.1 keeps the port on this machine; "
                             "localhost is 127.0.0.1; :: takes IPv4 and IPv6 clients."));
    m_v6only->setToolTip(tr("Listening on :: takes IPv6 clients only (IPV6_V6ONLY). Off, :: "
                            "takes IPv4 clients too, as Linux programs listening on :: do."));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("0 (free)"));
    m_port->setToolTip(tr("0 lets the OS choose a free port"));
    m_exposure->setWordWrap(true);
    m_exposure->setStyleSheet(
        QStringLiteral("QLabel { color: %1; }").arg(TimelineStyle(palette()).bad().name()));
    m_connections->setToolTip(tr("Accepted connections; select one to drive it"));
    m_connections->setModel(m_model);
    m_connections->setUniformItemSizes(true); // thousands of rows, laid out without measuring
    m_connections->setEditTriggers(QListView::NoEditTriggers);
    m_answer->setObjectName(QStringLiteral("answerCombo"));
    for (const auto responder : {ConnectionRecord::Responder::None,
                                 ConnectionRecord::Responder::Echo,
                                 ConnectionRecord::Responder::EchoUpper,
                                 ConnectionRecord::Responder::Discard}) {
        m_answer->addItem(ConnectionRecord::responderWord(responder));
    }
    m_answer->setToolTip(tr("The auto-responder each new connection starts with; it answers "
                            "every chunk until EOF. A connection's own choice overrides it."));
    m_closeOnEof->setObjectName(QStringLiteral("closeOnEofCheck"));
    m_closeOnEof->setToolTip(tr("New connections close once the peer's FIN is read and the last "
                                "reply has gone, as most servers do. Off, they stay in "
                                "CLOSE_WAIT until you close them."));

    auto *box = new QGroupBox(tr("Server"), this);
    auto *bind = new QHBoxLayout;
    bind->addWidget(new QLabel(tr("Address"), this));
    bind->addWidget(m_address, 1);
    bind->addWidget(new QLabel(tr("Port"), this));
    bind->addWidget(m_port);
    bind->addWidget(m_v6only);
    bind->addWidget(m_listen);
    m_connections->setMaximumHeight(m_connections->fontMetrics().height() * 4);
    // Left-aligned: the pane may be wider than the window, and these matter more than the status.
    auto *answer = new QHBoxLayout;
    answer->addWidget(new QLabel(tr("New connections:"), this));
    answer->addWidget(m_answer);
    answer->addWidget(m_closeOnEof);
    answer->addSpacing(m_closeOnEof->fontMetrics().horizontalAdvance(u'M'));
    answer->addWidget(m_status, 1);
    auto *inner = new QVBoxLayout(box);
    inner->addLayout(bind);
    inner->addWidget(m_exposure);
    inner->addLayout(answer);
    inner->addWidget(m_connections);
    inner->addWidget(m_panels, 1);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(box);

    auto *placeholder = new ConnectionPanel(nullptr, this);
    placeholder->setResponderVisible(true);
    placeholder->setEnabled(false);
    m_panels->addWidget(placeholder);

    connect(m_listen, &QPushButton::clicked, this, &ServerPane::toggleListening);
    connect(m_address, &QComboBox::currentTextChanged, this, &ServerPane::updateExposureWarning);
    connect(m_workbench, &Workbench::listeningChanged, this, &ServerPane::updateListening);
    connect(m_workbench, &Workbench::serverConnectionAdded, this, &ServerPane::addConnection);
    connect(m_connections->selectionModel(),
            &QItemSelectionModel::currentChanged,
            this,
            [this](const QModelIndex &current) {
                if (m_model->isRemovingRows())
                    return;
                if (const int connection = m_model->connectionAt(current.row()))
                    showConnection(connection);
            });
    // A connection folded away stays shown, its row no longer selected.
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] {
        selectRow(m_model->rowOf(m_shown));
    });
    // The fold row opens and closes on a click (or Return); it shows no connection itself.
    const auto toggleFold = [this](const QModelIndex &index) {
        if (m_model->isFoldRow(index.row()))
            m_model->setExpanded(!m_model->isExpanded());
    };
    connect(m_connections, &QListView::clicked, this, toggleFold);
    connect(m_connections, &QListView::activated, this, toggleFold);
    updateListening();
    updateExposureWarning();
}

QString ServerPane::bindAddress() const
{
    return m_address->currentText().trimmed();
}

ConnectionPanel *ServerPane::panel(int connection)
{
    if (!record(connection))
        return nullptr;
    if (connection != m_shown) {
        if (const int row = m_model->rowOf(connection); row >= 0)
            selectRow(row);
        showConnection(connection); // also when folded away: the panel shows it all the same
    }
    return m_panel;
}

ConnectionRecord *ServerPane::record(int connection) const
{
    return connection >= 1 && connection <= m_records.size() ? m_records.at(connection - 1)
                                                             : nullptr;
}

ConnectionPanel *ServerPane::currentPanel() const
{
    return qobject_cast<ConnectionPanel *>(m_panels->currentWidget());
}

bool ServerPane::startListening()
{
    QString error;
    const auto address = HostPort::listenAddress(bindAddress(), &error, m_v6only->isChecked());
    if (!address) {
        m_status->setText(error + u'.');
        return false;
    }
    if (!m_workbench->listen(*address, quint16(m_port->value()), &error)) {
        m_status->setText(error);
        emit hint(error);
        return false;
    }
    return true;
}

void ServerPane::toggleListening()
{
    if (m_workbench->isListening())
        m_workbench->stopListening();
    else
        startListening();
}

void ServerPane::updateListening()
{
    const bool listening = m_workbench->isListening();
    m_listen->setText(listening ? tr("&Stop") : tr("&Listen"));
    m_address->setEnabled(!listening);
    m_port->setEnabled(!listening);
    m_v6only->setEnabled(!listening);
    if (listening)
        m_status->setText(tr("listening on %1").arg(m_workbench->listenAddress()));
    else if (m_status->text().startsWith(tr("listening")))
        m_status->setText(tr("not listening"));
}

void ServerPane::updateExposureWarning()
{
    m_exposure->setVisible(HostPort::exposesPort(bindAddress()));
    m_exposure->setText(tr("Listening on %1 exposes the port to other machines on the network.")
                            .arg(bindAddress()));
}

void ServerPane::addConnection(Endpoint *endpoint)
{
    auto *record = new ConnectionRecord(endpoint, this);
    m_records.append(record);
    m_model->addConnection(endpoint);
    const auto answer = ConnectionRecord::Responder(m_answer->currentIndex());
    if (answer == ConnectionRecord::Responder::None)
        record->setReadWanted(true); // the panel's "read automatically", on by default
    else
        record->setResponder(answer);
    record->setCloseOnEof(m_closeOnEof->isChecked());
    // A new connection does not take the pane from one the user is driving.
    const Endpoint *shown = m_panel ? m_panel->endpoint() : nullptr;
    if (!shown || !shown->isOpen()) {
        const int connection = int(m_records.size());
        selectRow(m_model->rowOf(connection));
        showConnection(connection);
    }
}

void ServerPane::selectRow(int row)
{
    m_connections->selectionModel()->setCurrentIndex(m_model->index(row),
                                                     QItemSelectionModel::ClearAndSelect);
}

void ServerPane::showConnection(int connection)
{
    ConnectionRecord *shown = record(connection);
    if (!shown || connection == m_shown)
        return;
    // One panel at a time, made for the connection: the record keeps the rest.
    if (m_panel) {
        m_panels->removeWidget(m_panel);
        m_panel->hide();
        m_panel->deleteLater();
    }
    m_panel = new ConnectionPanel(*shown, this);
    m_panel->setResponderVisible(true);
    connect(m_panel, &ConnectionPanel::hint, this, &ServerPane::hint);
    m_panels->addWidget(m_panel);
    m_panels->setCurrentWidget(m_panel);
    m_shown = connection;
}

} // namespace finscope
