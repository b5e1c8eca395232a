# vpcitrap bench
