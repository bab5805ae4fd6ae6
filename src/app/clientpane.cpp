#include "clientpane.h"

#include "connectionpanel.h"
#include "engine/run/workbench.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace finscope {

ClientPane::ClientPane(Workbench *workbench, QWidget *parent)
    : QWidget(parent)
    , m_workbench(workbench)
    , m_host(new QLineEdit(QStringLiteral("127.0.0.1"), this))
    , m_port(new QSpinBox(this))
    , m_connect(new QPushButton(tr("&Connect"), this))
    , m_status(new QLabel(this))
    , m_panels(new QStackedWidget(this))
{
    m_host->setObjectName(QStringLiteral("hostEdit"));
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_port->setRange(1, 65535);
    m_host->setToolTip(tr("Host name or address; each address it resolves to is tried in turn"));
    m_connect->setToolTip(
        tr("Open a new client connection (non-blocking connect on a native socket)"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *box = new QGroupBox(tr("Client"), this);
    auto *target = new QHBoxLayout;
    target->addWidget(new QLabel(tr("Host"), this));
    target->addWidget(m_host, 1);
    target->addWidget(new QLabel(tr("Port"), this));
    target->addWidget(m_port);
    target->addWidget(m_connect);
    auto *inner = new QVBoxLayout(box);
    inner->addLayout(target);
    inner->addWidget(m_status);
    inner->addWidget(m_panels, 1);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(box);

    auto *placeholder = new ConnectionPanel(nullptr, this);
    placeholder->setEnabled(false);
    m_panels->addWidget(placeholder);

    connect(m_connect, &QPushButton::clicked, this, &ClientPane::connectToTarget);
    connect(m_host, &QLineEdit::returnPressed, this, &ClientPane::connectToTarget);
    connect(m_workbench, &Workbench::clientAdded, this, &ClientPane::addClient);
}

void ClientPane::setTarget(const QString &host, quint16 port)
{
    m_host->setText(host);
    m_port->setValue(port);
}

QString ClientPane::host() const
{
    return m_host->text().trimmed();
}

quint16 ClientPane::port() const
{
    return quint16(m_port->value());
}

ConnectionPanel *ClientPane::currentPanel() const
{
    return qobject_cast<ConnectionPanel *>(m_panels->currentWidget());
}

void ClientPane::connectToTarget()
{
    if (host().isEmpty()) {
        m_status->setText(tr("Enter a host to connect to."));
        return;
    }
    m_workbench->connectClient(host(), port());
}

void ClientPane::addClient(Endpoint *endpoint)
{
    auto *panel = new ConnectionPanel(endpoint, this);
    connect(panel, &ConnectionPanel::hint, this, &ClientPane::hint);
    m_panels->addWidget(panel);
    m_panels->setCurrentWidget(panel);
    m_status->setText(
        tr("client %1 connecting to %2:%3…").arg(endpoint->conn()).arg(host()).arg(port()));
    connect(endpoint, &Endpoint::connected, this, [this, endpoint] {
        m_status->setText(tr("client %1 connected: local %2, peer %3")
                              .arg(endpoint->conn())
                              .arg(endpoint->localAddress(), endpoint->peerAddress()));
    });
    connect(endpoint, &Endpoint::connectFailed, this, [this](const QString &reason) {
        m_status->setText(reason);
        emit hint(reason);
    });
}

} // namespace finscope
