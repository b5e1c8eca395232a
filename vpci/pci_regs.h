/* vpci/pci_regs.h - PCI configuration space names (PCI Local Bus 3.0, PCI-to-PCI Bridge 1.2). */
#ifndef VT_PCI_REGS_H
#define VT_PCI_REGS_H

#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x0001  /* I/O space decode */
#define  PCI_COMMAND_MEMORY     0x0002  /* memory space decode */
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_PARITY     0x0040
#define  PCI_COMMAND_SERR       0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_CAP_LIST    0x0010
#define  PCI_STATUS_W1C         0xf900  /* parity, target/master aborts, SERR, detected parity */
#define PCI_CLASS_REVISION      0x08
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MASK   0x7f
#define  PCI_HEADER_TYPE_NORMAL 0
#define  PCI_HEADER_TYPE_BRIDGE 1
#define  PCI_HEADER_TYPE_CARDBUS 2
#define  PCI_HEADER_MULTI_FUNC  0x80
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO   0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define  PCI_BASE_ADDRESS_MEM_MASK   (~0x0fU)
#define  PCI_BASE_ADDRESS_IO_MASK    (~0x03U)
#define PCI_CARDBUS_CIS         0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_ROM_ADDRESS         0x30    /* type 0 */
#define  PCI_ROM_ADDRESS_ENABLE 0x01
#define  PCI_ROM_ADDRESS_MASK   (~0x7ffU)
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d

/* Type 1 (bridge) header */
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
#define PCI_SUBORDINATE_BUS     0x1a
#define PCI_SEC_LATENCY_TIMER   0x1b
#define PCI_IO_BASE             0x1c
#define PCI_IO_LIMIT            0x1d
#define  PCI_IO_RANGE_TYPE_MASK 0x0f
#define  PCI_IO_RANGE_TYPE_32   0x01
#define  PCI_IO_RANGE_MASK      0xf0
#define PCI_SEC_STATUS          0x1e
#define PCI_MEMORY_BASE         0x20
#define PCI_MEMORY_LIMIT        0x22
#define  PCI_MEMORY_RANGE_MASK  0xfff0
#define PCI_PREF_MEMORY_BASE    0x24
#define PCI_PREF_MEMORY_LIMIT   0x26
#define  PCI_PREF_RANGE_TYPE_64 0x0001
#define  PCI_PREF_RANGE_MASK    0xfff0
#define PCI_PREF_BASE_UPPER32   0x28
#define PCI_PREF_LIMIT_UPPER32  0x2c
#define PCI_IO_BASE_UPPER16     0x30
#define PCI_IO_LIMIT_UPPER16    0x32
#define PCI_ROM_ADDRESS1        0x38    /* type 1 */
#define PCI_BRIDGE_CONTROL      0x3e
#define  PCI_BRIDGE_CTL_WMASK   0x0bff  /* as QEMU's pci_init_wmask_bridge */
#define  PCI_BRIDGE_CTL_DISCARD_STATUS 0x0400

/* Capabilities used for default masks */
#define PCI_CAP_ID_PM           0x01
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSIX         0x11

#define PCI_CFG_SPACE_SIZE      256
#define PCI_CFG_SPACE_EXP_SIZE  4096

#endif
