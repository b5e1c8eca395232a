# vpcitrap dmar / ivrs
vpcitrap_SOURCES += \
	cmd_acpi.c
