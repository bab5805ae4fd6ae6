#include "serverpane.h"

#include "connectionpanel.h"
#include "engine/core/hostport.h"
#include "engine/run/workbench.h"
#include "render/timelinestyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTimer>
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
    , m_connections(new QListWidget(this))
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

    auto *box = new QGroupBox(tr("Server"), this);
    auto *bind = new QHBoxLayout;
    bind->addWidget(new QLabel(tr("Address"), this));
    bind->addWidget(m_address, 1);
    bind->addWidget(new QLabel(tr("Port"), this));
    bind->addWidget(m_port);
    bind->addWidget(m_v6only);
    bind->addWidget(m_listen);
    m_connections->setMaximumHeight(m_connections->fontMetrics().height() * 4);
    auto *inner = new QVBoxLayout(box);
    inner->addLayout(bind);
    inner->addWidget(m_exposure);
    inner->addWidget(m_status);
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
    connect(m_connections, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row < m_connectionPanels.size())
            m_panels->setCurrentWidget(m_connectionPanels.at(row));
    });
    auto *listTimer = new QTimer(this);
    connect(listTimer, &QTimer::timeout, this, &ServerPane::updateList);
    listTimer->start(250);
    updateListening();
    updateExposureWarning();
}

QString ServerPane::bindAddress() const
{
    return m_address->currentText().trimmed();
}

ConnectionPanel *ServerPane::panel(int connection) const
{
    return connection >= 1 && connection <= m_connectionPanels.size()
               ? m_connectionPanels.at(connection - 1)
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
    auto *panel = new ConnectionPanel(endpoint, this);
    panel->setResponderVisible(true);
    connect(panel, &ConnectionPanel::hint, this, &ServerPane::hint);
    m_connectionPanels.append(panel);
    m_panels->addWidget(panel);
    m_connections->addItem(QString());
    updateList();
    m_connections->setCurrentRow(m_connections->count() - 1);
}

void ServerPane::updateList()
{
    const QList<Endpoint *> &endpoints = m_workbench->serverConnections();
    for (int i = 0; i < m_connections->count() && i < endpoints.size(); ++i) {
        const Endpoint *ep = endpoints.at(i);
        const QString text = tr("server %1 · peer %2 · %3")
                                 .arg(ep->conn())
                                 .arg(ep->peerAddress(), stateName(ep->tcpState()));
        if (m_connections->item(i)->text() != text)
            m_connections->item(i)->setText(text);
    }
}

} // namespace finscope
