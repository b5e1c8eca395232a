# vpcitrap import-qemu
