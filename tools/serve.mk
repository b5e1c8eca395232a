# vpcitrap serve / snapshot
