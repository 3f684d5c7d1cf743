echo {{line}}
