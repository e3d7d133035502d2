module gogitlog

go 1.22

require github.com/go-git/go-git/v5 v5.19.3
