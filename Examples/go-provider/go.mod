module example.com/swash/go-provider

go 1.19
